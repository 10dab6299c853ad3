//! How the process holds memory: glibc's malloc tuned for a few large arrays, and freed memory
//! handed back between stages. Elsewhere these calls do nothing.

/// glibc's malloc raises its mapping threshold to the size of each large block freed, so later
/// factors and scratch arrays come from arenas that keep freed memory resident. A fixed
/// threshold of 128 KiB keeps large blocks mapped apart, unmapped when freed. (Capping the
/// arenas at one a core saves no more once [`trim`] runs, and slows the parallel tokeniser.)
/// Call before any other thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
    }
}

/// Hands the pages of freed small blocks back to the system. Reading leaves tens of megabytes
/// of them (the word counts of every document) scattered through the arenas, where nothing
/// later reuses them: on the Debian corpus, 27 MB resident beyond the live data.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}
