// Property checks inside fuzz targets: a broken property is a finding, reported with the
// message and then aborted on, so that libFuzzer saves the input like any crash.
#ifndef SELLO_TESTS_FUZZ_FUZZ_CHECK_H_
#define SELLO_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#define SELLO_FUZZ_CHECK(condition, message)                                                   \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::fprintf(stderr, "%s:%d: property broken: %s: %s\n", __FILE__, __LINE__, #condition, \
                   std::string(message).c_str());                                              \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)

#endif  // SELLO_TESTS_FUZZ_FUZZ_CHECK_H_
