/* hb_io.c - see hb_io.h. The buffer and its fill level are this module's only state. */
#include "hb_io.h"

#include <string.h>

#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_crc32.h"
#include "hb_fmt.h"
#include "hb_model.h"

static uint8_t g_buf[HB_DB_BUFFER_SIZE] __attribute__((aligned(16)));
static size_t g_expected; /* bytes announced by `db load N` */
static size_t g_loaded;   /* bytes received so far */

uint8_t *hb_io_buffer(void) { return g_buf; }
size_t hb_io_capacity(void) { return sizeof g_buf; }
size_t hb_io_loaded(void) { return g_loaded; }

void hb_io_clear(void)
{
    g_expected = 0u;
    g_loaded = 0u;
}

int hb_io_expect(uint32_t n)
{
    if (n == 0u) {
        hb_printf("e-[Command 'db load' must be >0 bytes]\r\n");
        return -1;
    }
    if (n > sizeof g_buf) {
        hb_printf("e-[Supplied buffer size %u exceeds maximum of %u]\r\n", (unsigned)n, (unsigned)sizeof g_buf);
        return -1;
    }
    g_expected = n;
    g_loaded = 0u;
    return 0;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int hb_io_append_hex(const char *hex)
{
    size_t len = strlen(hex);
    if (len & 1u) {
        hb_printf("e-[Insufficent number of hex digits]\r\n");
        return -1;
    }
    for (size_t i = 0; i < len; i += 2u) {
        if (hex_nibble(hex[i]) < 0 || hex_nibble(hex[i + 1u]) < 0) {
            hb_printf("e-[Invalid hex digit '%c%c']\r\n", hex[i], hex[i + 1u]);
            return -1;
        }
    }
    /* Checked before storing anything: a chunk that does not fit must not leave half of itself behind. */
    if (g_expected == 0u) {
        hb_printf("e-[db: no 'db load N' before the data]\r\n");
        return -1;
    }
    if (len / 2u > g_expected - g_loaded) {
        if (g_loaded == g_expected)
            hb_printf("e-[db buffer already full: %u bytes]\r\n", (unsigned)g_expected);
        else
            hb_printf("e-[db: %u bytes sent, only %u of the %u announced left]\r\n", (unsigned)(len / 2u),
                      (unsigned)(g_expected - g_loaded), (unsigned)g_expected);
        return -1;
    }
    for (size_t i = 0; i < len; i += 2u)
        g_buf[g_loaded++] = (uint8_t)((hex_nibble(hex[i]) << 4) | hex_nibble(hex[i + 1u]));
    return g_loaded == g_expected ? 1 : 0;
}

void hb_io_print(void)
{
    for (size_t i = 0; i < g_loaded; ++i) {
        if (i % 8u == 0u) hb_printf("m-buffer-");
        hb_printf("%02x", g_buf[i]);
        hb_printf((i + 1u) % 8u == 0u || i + 1u == g_loaded ? "\r\n" : "-");
    }
}

int hb_io_receive(const char *what, size_t offset, size_t len, uint32_t crc)
{
    for (size_t i = 0; i < len; ++i) g_buf[offset + i] = hb_uart_getc();
    uint32_t got = hb_crc32(0u, g_buf + offset, len);
    if (got != crc) {
        hb_io_clear();
        hb_printf("e-[%s crc mismatch: received %08x expected %08x]\r\n", what, (unsigned)got, (unsigned)crc);
        return -1;
    }
    return 0;
}

void hb_io_set_loaded(size_t len)
{
    g_expected = g_loaded = len;
}

/* Bytes of all model inputs (dir 0) or outputs (dir 1); 0 when the model cannot say. */
static size_t io_bytes(int dir)
{
    size_t total = 0;
    for (size_t i = 0; i < hb_model_io_count(dir); ++i) {
        hb_app_tensor t;
        if (hb_model_io(dir, i, &t) != 0) return 0;
        total += t.bytes;
    }
    return total;
}

size_t hb_io_input_bytes(void) { return io_bytes(0); }

size_t hb_io_output_bytes(void) { return io_bytes(1); }

size_t hb_io_batch_max(void)
{
    size_t in = hb_io_input_bytes(), out = hb_io_output_bytes();
    return in && out ? sizeof g_buf / (in + out) : 0u;
}

int hb_io_load_inputs_from(const uint8_t *src, size_t len)
{
    size_t n = hb_model_io_count(0), need = hb_io_input_bytes(), off = 0;
    if (n == 0u || need == 0u) {
        hb_printf("e-[no model: %s]\r\n", hb_model_status());
        return -1;
    }
    if (len != need) {
        hb_printf("e-[input needs %u bytes, buffer holds %u]\r\n", (unsigned)need, (unsigned)len);
        return -1;
    }
    for (size_t i = 0; i < n; ++i) {
        hb_app_tensor t;
        (void)hb_model_io(0, i, &t);
        memcpy(t.data, src + off, t.bytes);
        off += t.bytes;
    }
    return 0;
}

int hb_io_load_inputs(void)
{
    return hb_io_load_inputs_from(g_buf, g_loaded);
}

void hb_io_copy_outputs(uint8_t *dst)
{
    for (size_t i = 0; i < hb_model_io_count(1); ++i) {
        hb_app_tensor t;
        if (hb_model_io(1, i, &t) != 0) return;
        memcpy(dst, t.data, t.bytes);
        dst += t.bytes;
    }
}

uint64_t hb_io_timed_invoke(void)
{
    hb_timer_align();
    uint64_t t0 = hb_timer_ticks();
    int rc = hb_model_invoke();
    uint64_t t1 = hb_timer_ticks();
    if (rc != 0) {
        hb_printf("e-[invoke failed: %s]\r\n", hb_model_status());
        return UINT64_MAX;
    }
    return t1 - t0;
}

void hb_io_send_frame(const void *data, size_t len)
{
    hb_printf("m-hb-frame-%u-%08x\r\n", (unsigned)len, (unsigned)hb_crc32(0u, data, len));
    hb_uart_write(data, len);
    hb_printf("\r\n");
}
