// jemalloc's settings for sellod, read by jemalloc at its start (its documented
// `malloc_conf` symbol; MALLOC_CONF in the environment still overrides). Linked only
// with jemalloc (SELLO_JEMALLOC).
//
// IssueSeals and VerifySeal batches free large blocks at a high rate. By default jemalloc
// keeps freed pages for 10 s per arena before returning them, which under a populate of
// millions of seals kept ~60 MiB more resident than in use (peak 460 -> 404 MiB at 3 M
// seals with these settings). A background thread returns them after 1 s instead, off
// the calls' threads.
extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): jemalloc's name.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
