// Sanitizer defaults for every fuzz target, so that a plain `./fuzz_x` run behaves like
// ctest's and run.sh's. The memory limit (-rss_limit_mb=256) covers ASan's own memory
// too, over runs of ten minutes, so:
//  - the quarantine of freed memory (256 MiB by default, plus 1 MiB per thread) is 16 MiB
//    plus 256 KiB per thread: it still catches use-after-free of anything freed within
//    the last tens of thousands of allocations;
//  - freed memory goes back to the system every half second;
//  - the service target (SELLO_FUZZ_SHORT_STACKS) records allocation and free stacks two
//    frames deep: the allocator and its caller. ASan keeps every distinct stack for the
//    life of the process, and deeper ones pass through Debian's libraries, built without
//    frame pointers, where the fast unwinder reads made-up frames: the server's distinct
//    stacks then grow without bound (60 MiB in ten minutes). The slow unwinder would make
//    them right but takes the target's start from 2 s to 12 s. Reports still show the
//    faulting access's whole stack; to see whole allocation stacks, replay the input with
//    ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=30.
// ASAN_OPTIONS in the environment override these.

#ifdef SELLO_FUZZ_SHORT_STACKS
#define SELLO_FUZZ_STACK_OPTIONS ":malloc_context_size=2"
#else
#define SELLO_FUZZ_STACK_OPTIONS ""
#endif

// The sanitizers' own hooks, by their reserved names.
extern "C" const char* __asan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "quarantine_size_mb=16:thread_local_quarantine_size_kb=256:"
         "allocator_release_to_os_interval_ms=500:detect_leaks=1" SELLO_FUZZ_STACK_OPTIONS;
}

extern "C" const char* __ubsan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "print_stacktrace=1";
}
