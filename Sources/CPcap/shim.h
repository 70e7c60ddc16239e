#ifndef CPCAP_SHIM_H
#define CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <stdbool.h>

/* A flag another thread may set while the capture loop reads it once per packet, without a
 * lock: Swift has no atomics before macOS 15 (Synchronization), and a mutex costs about 55
 * instructions per packet. Used by BreakLoopToken. */
static inline bool blockwatch_flag_load(const bool *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }
static inline void blockwatch_flag_store(bool *flag, bool value) { __atomic_store_n(flag, value, __ATOMIC_RELEASE); }

#endif
