// malloc_count.c: an LD_PRELOAD shim that counts heap allocations of one process.
//
// Built by Benchmarks/run.sh:  gcc -O2 -shared -fPIC -o malloc_count.so malloc_count.c
// Used as:  MALLOC_COUNT_OUT=counts.txt LD_PRELOAD=./malloc_count.so blockwatch flows ...
//
// It counts calls to malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign and valloc
// (the Swift runtime's swift_slowAlloc ends up in malloc, or posix_memalign/aligned_alloc for
// over-aligned types) and forwards each to glibc's own __libc_* entry points, so no dlsym is
// needed (dlsym itself allocates, which makes the usual RTLD_NEXT shim re-entrant at start-up).
// free is not interposed: the blocks come from glibc's allocator, so glibc's free is right.
//
// It also wraps libpcap's pcap_next_ex and notes the allocation count each time it is called, so
// `loop=` is the number of allocations up to the last packet read: start-up plus the whole packet
// loop, without what a program does after its last read (for blockwatch: writing out the flows
// still open, which depends on their counters, not on the packet path).
//
// At exit it writes one line "allocs=<n> loop=<n> malloc=<n> calloc=<n> realloc=<n> memalign=<n>"
// to the file named by MALLOC_COUNT_OUT (appending), or to standard error when that is unset.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static unsigned long long n_malloc, n_calloc, n_realloc, n_memalign, at_last_read;

#define COUNT(c) __atomic_fetch_add(&(c), 1, __ATOMIC_RELAXED)
#define TOTAL() (n_malloc + n_calloc + n_realloc + n_memalign)

void *malloc(size_t size) { COUNT(n_malloc); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { COUNT(n_calloc); return __libc_calloc(n, size); }
// realloc(NULL, n) is an allocation; realloc(p, 0) is a free; a resize is counted too, since
// growing a buffer per packet is exactly the kind of hidden cost this shim is meant to expose.
void *realloc(void *p, size_t size) { COUNT(n_realloc); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { COUNT(n_memalign); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { COUNT(n_memalign); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { COUNT(n_memalign); return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    COUNT(n_memalign);
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (p == NULL && size != 0) return ENOMEM;
    *out = p;
    return 0;
}

// int pcap_next_ex(pcap_t *, struct pcap_pkthdr **, const u_char **), with opaque pointer types
// so that no libpcap header is needed. The real one is looked up on first use.
typedef int (*next_ex_fn)(void *, void **, const unsigned char **);
int pcap_next_ex(void *p, void **header, const unsigned char **data) {
    static next_ex_fn real;
    if (real == NULL) real = (next_ex_fn)dlsym(RTLD_NEXT, "pcap_next_ex");
    at_last_read = TOTAL();
    return real(p, header, data);
}

__attribute__((destructor)) static void report(void) {
    char line[256];
    unsigned long long total = TOTAL();
    int len = snprintf(line, sizeof line, "allocs=%llu loop=%llu malloc=%llu calloc=%llu realloc=%llu memalign=%llu\n",
                       total, at_last_read, n_malloc, n_calloc, n_realloc, n_memalign);
    const char *path = getenv("MALLOC_COUNT_OUT");
    int fd = 2;
    if (path != NULL && *path != '\0') fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0 && len > 0) { ssize_t w = write(fd, line, (size_t)len); (void)w; }
    if (fd > 2) close(fd);
}
