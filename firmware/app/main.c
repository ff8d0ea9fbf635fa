/*
 * main.c - the on-device app: read commands terminated by '%', answer, end every reply with m-ready.
 *
 * The commands and reply lines of MLPerf Tiny's monitor (benchmark/api/internally_implemented.cpp
 * and the runner's device_under_test.py) are reproduced here from their documented behaviour:
 * name, profile, help, timestamp, db load N, db HEX, db print, infer N [W], results.
 * hil-bench's own commands start with "hb-" (hb_ext.c).
 */
#include <string.h>

#include "hb_app.h"
#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_fmt.h"
#include "hb_model.h"

#define HB_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"

uint8_t g_db_buf[HB_DB_BUFFER_SIZE] __attribute__((aligned(16)));
size_t g_db_size;
size_t g_db_pos;

static char g_cmd[HB_CMD_SIZE + 1];
static char *g_tok_next;

char *hb_next_token(void)
{
    char *p = g_tok_next;
    if (!p) return 0;
    while (*p == ' ') ++p;
    if (!*p) return g_tok_next = 0;
    char *start = p;
    while (*p && *p != ' ') ++p;
    if (*p) *p++ = '\0';
    g_tok_next = p;
    return start;
}

int hb_parse_u32(const char *tok, uint32_t *out)
{
    uint32_t v = 0, base = 10;
    if (!tok || !*tok) return 0;
    if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
        base = 16;
        tok += 2;
        if (!*tok) return 0;
    }
    for (; *tok; ++tok) {
        uint32_t d;
        char c = *tok;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else return 0;
        if (v > (0xFFFFFFFFu - d) / base) return 0;
        v = v * base + d;
    }
    *out = v;
    return 1;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static uint64_t ticks_to_us(uint64_t ticks)
{
    return ticks * 1000000ull / hb_timer_hz();
}

static void cmd_timestamp(void)
{
    hb_printf("m-lap-us-%lu\r\n", (unsigned long)ticks_to_us(hb_timer_ticks()));
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

size_t hb_input_bytes(void) { return io_bytes(0); }

size_t hb_output_bytes(void) { return io_bytes(1); }

int hb_load_inputs_from(const uint8_t *src, size_t len)
{
    size_t n = hb_model_io_count(0), need = hb_input_bytes(), off = 0;
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

int hb_load_inputs(void)
{
    return hb_load_inputs_from(g_db_buf, g_db_pos);
}

uint64_t hb_timed_invoke(void)
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

/* m-results-[a,b,...]: every output element dequantized, printed %0.3f as MLPerf's th_results(). */
static void cmd_results(void)
{
    size_t n = hb_model_io_count(1);
    hb_printf("m-results-[");
    int first = 1;
    for (size_t i = 0; i < n; ++i) {
        hb_app_tensor t;
        if (hb_model_io(1, i, &t) != 0) continue;
        for (size_t k = 0; k < t.bytes; ++k) {
            int q;
            if (t.type == 9) q = ((const int8_t *)t.data)[k];          /* INT8 */
            else if (t.type == 3) q = ((const uint8_t *)t.data)[k];    /* UINT8 */
            else break;                                                 /* other types: binary hb-get */
            if (!first) hb_uart_putc(',');
            first = 0;
            hb_print_fixed3(t.scale * (float)(q - t.zero_point));
        }
    }
    hb_printf("]\r\n");
}

static void cmd_infer(void)
{
    uint32_t n = 1, w = 10;
    char *tok = hb_next_token();
    if (tok) {
        if (!hb_parse_u32(tok, &n) || n == 0u) {
            hb_printf("e-[Inference iterations must be >0]\r\n");
            return;
        }
        tok = hb_next_token();
        if (tok && !hb_parse_u32(tok, &w)) {
            hb_printf("e-[Inference warmup must be >=0]\r\n");
            return;
        }
    }
    if (hb_load_inputs() != 0) return;
    hb_printf("m-warmup-start-%u\r\n", (unsigned)w);
    /* Inputs are reloaded before every run: the runtime may reuse the input tensor's memory for
     * activations (as TFLite Micro does). Inside the timed loop the copy is counted; it is small. */
    while (w-- > 0u) {
        if (hb_model_invoke() != 0 || hb_load_inputs() != 0) break;
    }
    hb_printf("m-warmup-done\r\n");
    hb_printf("m-infer-start-%u\r\n", (unsigned)n);
    cmd_timestamp();
    int ok = 1;
    for (uint32_t k = 0; k < n && ok; ++k) ok = (k == 0u || hb_load_inputs() == 0) && hb_model_invoke() == 0;
    cmd_timestamp();
    if (!ok) hb_printf("e-[invoke failed: %s]\r\n", hb_model_status());
    hb_printf("m-infer-done\r\n");
    cmd_results();
}

static void cmd_db(void)
{
    char *sub = hb_next_token();
    if (!sub) {
        hb_printf("e-[Command 'db' requires a subcommand]\r\n");
    } else if (strcmp(sub, "load") == 0) {
        uint32_t n;
        char *tok = hb_next_token();
        if (!tok) {
            hb_printf("e-[Command 'db load' requires the # of bytes]\r\n");
        } else if (!hb_parse_u32(tok, &n) || n == 0u) {
            hb_printf("e-[Command 'db load' must be >0 bytes]\r\n");
        } else if (n > HB_DB_BUFFER_SIZE) {
            hb_printf("e-[Supplied buffer size %u exceeds maximum of %u]\r\n", (unsigned)n,
                      (unsigned)HB_DB_BUFFER_SIZE);
        } else {
            g_db_size = n;
            g_db_pos = 0;
            hb_printf("m-[Expecting %u bytes]\r\n", (unsigned)n);
        }
    } else if (strcmp(sub, "print") == 0) {
        for (size_t i = 0; i < g_db_pos; ++i) {
            if (i % 8u == 0u) hb_printf("m-buffer-");
            hb_printf("%02x", g_db_buf[i]);
            hb_printf((i + 1u) % 8u == 0u || i + 1u == g_db_pos ? "\r\n" : "-");
        }
    } else {
        size_t len = strlen(sub);
        if (len & 1u) {
            hb_printf("e-[Insufficent number of hex digits]\r\n");
            return;
        }
        for (size_t i = 0; i < len; i += 2u) {
            int hi = hex_nibble(sub[i]), lo = hex_nibble(sub[i + 1u]);
            if (hi < 0 || lo < 0) {
                hb_printf("e-[Invalid hex digit '%c%c']\r\n", sub[i], sub[i + 1u]);
                return;
            }
            if (g_db_pos >= g_db_size) {
                hb_printf("e-[db buffer already full: %u bytes]\r\n", (unsigned)g_db_size);
                return;
            }
            g_db_buf[g_db_pos++] = (uint8_t)((hi << 4) | lo);
            if (g_db_pos == g_db_size) {
                hb_printf("m-load-done\r\n");
                return;
            }
        }
    }
}

static void dispatch(char *line)
{
    g_tok_next = line;
    char *cmd = hb_next_token();
    if (!cmd) {
        hb_printf("e-[Unknown command: ]\r\n");
    } else if (strcmp(cmd, "name") == 0) {
        hb_printf("m-name-dut-[%s]\r\n", HB_DEVICE_NAME);
    } else if (strcmp(cmd, "timestamp") == 0) {
        cmd_timestamp();
    } else if (strcmp(cmd, "profile") == 0) {
        hb_printf("m-profile-[%s]\r\n", HB_FW_VERSION);
        hb_printf("m-model-[%s]\r\n", HB_MODEL_VERSION);
    } else if (strcmp(cmd, "help") == 0) {
        hb_printf("%s\r\n\r\nhelp name timestamp profile db infer results; hil-bench: hb-info hb-put hb-get "
                  "hb-infer hb-batch hb-read hb-crc hb-sink hb-exit\r\n", HB_FW_VERSION);
    } else if (strcmp(cmd, "db") == 0) {
        cmd_db();
    } else if (strcmp(cmd, "infer") == 0) {
        cmd_infer();
    } else if (strcmp(cmd, "results") == 0) {
        cmd_results();
    } else if (!hb_ext_parse(cmd)) {
        hb_printf("e-[Unknown command: %s]\r\n", cmd);
    }
    hb_printf("m-ready\r\n");
}

int main(void)
{
    hb_bsp_init();
    int rc = hb_model_setup();
    hb_printf("m-hb-boot-[%s]-[%s]\r\n", HB_BOARD_NAME, hb_model_status());
    (void)rc;
    hb_printf("m-init-done\r\n");
    hb_printf("m-ready\r\n");
    size_t pos = 0;
    for (;;) {
        char c = (char)hb_uart_getc();
        if (c == '%') {
            g_cmd[pos] = '\0';
            dispatch(g_cmd);
            pos = 0;
        } else if (c != '\r' && c != '\n') {
            g_cmd[pos] = c;
            pos = pos >= HB_CMD_SIZE ? HB_CMD_SIZE : pos + 1u;
        }
    }
}
