/*
 * hb_cmd_table.c - the one table of commands, the dispatcher and `help`, which both walk it.
 *
 * MLPerf Tiny's monitor commands (benchmark/api/internally_implemented.cpp and the runner's
 * device_under_test.py) keep their documented replies; hil-bench's own commands start with "hb-".
 */
#include <string.h>

#include "hb_cmd.h"
#include "hb_fmt.h"

static void cmd_help(hb_args *a);

static const hb_cmd k_commands[] = {
    {"help", "help", "this list", cmd_help},
    {"name", "name", "m-name-dut-[NAME]", hb_cmd_name},
    {"profile", "profile", "m-profile-[FIRMWARE] m-model-[MODEL]", hb_cmd_profile},
    {"timestamp", "timestamp", "m-lap-us-MICROSECONDS", hb_cmd_timestamp},
    {"db", "db load N | db HEX | db print", "fill the input buffer: announce N bytes, send them as hex, show them",
     hb_cmd_db},
    {"infer", "infer (N=1) (WARMUP=10)", "WARMUP then N inferences between two m-lap-us-, then m-results-[...]",
     hb_cmd_infer},
    {"results", "results", "m-results-[...]: the outputs dequantized", hb_cmd_results},
    {"hb-info", "hb-info", "m-hb-info-KEY=VALUE: board, model, kernels, memory, timer, tensors", hb_cmd_hb_info},
    {"hb-put", "hb-put LEN CRC32", "m-hb-put-ready-LEN, then LEN raw bytes into the input buffer", hb_cmd_hb_put},
    {"hb-get", "hb-get OUTPUT", "output tensor OUTPUT as a frame m-hb-frame-LEN-CRC", hb_cmd_hb_get},
    {"hb-infer", "hb-infer N WARMUP (PROFILE=0)",
     "m-hb-ticks-T per timed run; PROFILE=1 adds m-hb-layer-I-OP-T per operator", hb_cmd_hb_infer},
    {"hb-batch", "hb-batch N LEN CRC32", "N inferences on LEN raw input bytes, the outputs as one frame",
     hb_cmd_hb_batch},
    {"hb-read", "hb-read OFFSET LEN", "model bytes from flash as a frame", hb_cmd_hb_read},
    {"hb-crc", "hb-crc OFFSET LEN", "m-hb-crc-CRC32 of model bytes", hb_cmd_hb_crc},
    {"hb-sink", "hb-sink LEN", "swallow LEN raw bytes (link speed)", hb_cmd_hb_sink},
    {"hb-exit", "hb-exit (CODE=0)", "leave with exit CODE 0..255", hb_cmd_hb_exit},
    {"hb-fault", "hb-fault", "test: raise a UsageFault", hb_cmd_hb_fault},
    {"hb-hang", "hb-hang", "test: stop answering", hb_cmd_hb_hang},
};

#define HB_CMD_COUNT (sizeof k_commands / sizeof k_commands[0])

static void cmd_help(hb_args *a)
{
    if (!hb_args_end(a)) return;
    hb_printf("%s\r\n", HB_FW_VERSION);
    for (size_t i = 0; i < HB_CMD_COUNT; ++i) hb_printf("%s  - %s\r\n", k_commands[i].usage, k_commands[i].help);
}

void hb_cmd_dispatch(char *line)
{
    hb_args a;
    hb_args_init(&a, line);
    const char *name = hb_args_next(&a);
    size_t i = 0;
    while (name && i < HB_CMD_COUNT && strcmp(name, k_commands[i].name) != 0) ++i;
    if (!name) {
        hb_printf("e-[Empty command: 'help%%' lists the commands]\r\n");
    } else if (i == HB_CMD_COUNT) {
        hb_printf("e-[Unknown command: %s]\r\n", name);
    } else {
        a.cmd = k_commands[i].name;
        a.usage = k_commands[i].usage;
        k_commands[i].handler(&a);
    }
    hb_printf("m-ready\r\n");
}
