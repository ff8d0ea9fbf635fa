/* hb_crc32.h - CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF), as zlib.crc32. */
#ifndef HB_CRC32_H
#define HB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0, feed chunks, the result equals zlib.crc32 of the whole. */
uint32_t hb_crc32(uint32_t crc, const void *data, size_t len);

#endif /* HB_CRC32_H */
