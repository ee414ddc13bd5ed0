// A small structure-aware mutator for the service target (libprotobuf-mutator is not in
// Debian): one change per call to a request, made through protobuf reflection, so that
// mutated requests still parse and reach the handlers' own checks rather than stopping
// at the wire format.
#ifndef SELLO_TESTS_FUZZ_REQUEST_MUTATOR_H_
#define SELLO_TESTS_FUZZ_REQUEST_MUTATOR_H_

#include <random>
#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace sello::fuzz {

// Changes one field of `message` or of a message inside it: a new value (from `words`
// for strings, edge values for numbers, any number for enums), an element added to or
// removed from a repeated field, a message field set or cleared.
void MutateMessage(google::protobuf::Message& message, const std::vector<std::string>& words,
                   std::minstd_rand& random);

}  // namespace sello::fuzz

#endif  // SELLO_TESTS_FUZZ_REQUEST_MUTATOR_H_
