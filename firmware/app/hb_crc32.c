/* hb_crc32.c - table-driven CRC-32; the 1 KiB table is built once in RAM at first use. */
#include "hb_crc32.h"

static uint32_t g_table[256];
static int g_ready;

static void build_table(void)
{
    for (uint32_t i = 0; i < 256u; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        g_table[i] = c;
    }
    g_ready = 1;
}

uint32_t hb_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (!g_ready) build_table();
    crc = ~crc;
    while (len--) crc = g_table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
