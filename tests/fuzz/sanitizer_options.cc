// Sanitizer defaults for every fuzz target, so that a plain `./fuzz_x` run behaves like
// ctest's and run.sh's. The memory limit (-rss_limit_mb=256) covers ASan's own memory
// too, over runs of ten minutes, so:
//  - the quarantine of freed memory (256 MiB by default, plus 1 MiB per thread) is 16 MiB
//    plus 256 KiB per thread: it still catches use-after-free of anything freed within
//    the last tens of thousands of allocations;
//  - freed memory goes back to the system every half second;
//  - the service target (SELLO_FUZZ_EXACT_STACKS) takes allocation stacks with the slow
//    unwinder, 10 frames deep. ASan keeps every distinct stack for the life of the
//    process, and the fast unwinder reads made-up frames in Debian's libraries (built
//    without frame pointers): the server's distinct stacks then grow without bound (about
//    1,300 a second, 60 MiB in ten minutes) where true ones level off at a few tens of
//    thousands. It costs about a third of that target's speed (and makes its reports'
//    stacks right); the other targets allocate far less and keep the fast unwinder, which
//    is ten times quicker for them.
// ASAN_OPTIONS in the environment still override these.

#ifdef SELLO_FUZZ_EXACT_STACKS
#define SELLO_FUZZ_STACK_OPTIONS ":fast_unwind_on_malloc=0:malloc_context_size=10"
#else
#define SELLO_FUZZ_STACK_OPTIONS ""
#endif

extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16:thread_local_quarantine_size_kb=256:"
         "allocator_release_to_os_interval_ms=500:detect_leaks=1" SELLO_FUZZ_STACK_OPTIONS;
}

extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1"; }
