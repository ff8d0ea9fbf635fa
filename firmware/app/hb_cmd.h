/*
 * hb_cmd.h - the command table: one const {name, usage, help, handler} row per command, walked by
 * both the dispatcher and `help` (hb_cmd_table.c).
 *
 * A handler reads its arguments from the hb_args cursor it is given (hb_args.h), answers, and on any
 * error prints exactly one e-[...] line saying what was wrong; the dispatcher ends every reply
 * with m-ready. MLPerf Tiny's commands are in hb_cmd_mlperf.c, hil-bench's hb-* extensions in
 * hb_cmd_ext.c (data and model read-back) and hb_cmd_run.c (timed, profiled and batched inference).
 */
#ifndef HB_CMD_H
#define HB_CMD_H

#include "hb_args.h"

#define HB_CMD_SIZE 80u /* longest command line (EE_CMD_SIZE in MLPerf Tiny's monitor) */
#define HB_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"

typedef struct hb_cmd {
    const char *name;  /* first token of the line */
    const char *usage; /* arguments, optional ones as (NAME=DEFAULT); shown by help and in errors */
    const char *help;  /* one line: what it answers */
    void (*handler)(hb_args *args);
} hb_cmd;

/* Run one command line (without its '%'); the reply ends with m-ready. */
void hb_cmd_dispatch(char *line);

/* Handlers, one per table row. */
void hb_cmd_name(hb_args *a);
void hb_cmd_profile(hb_args *a);
void hb_cmd_timestamp(hb_args *a);
void hb_cmd_db(hb_args *a);
void hb_cmd_infer(hb_args *a);
void hb_cmd_results(hb_args *a);
void hb_cmd_hb_info(hb_args *a);
void hb_cmd_hb_put(hb_args *a);
void hb_cmd_hb_get(hb_args *a);
void hb_cmd_hb_read(hb_args *a);
void hb_cmd_hb_crc(hb_args *a);
void hb_cmd_hb_sink(hb_args *a);
void hb_cmd_hb_exit(hb_args *a);
void hb_cmd_hb_fault(hb_args *a);
void hb_cmd_hb_hang(hb_args *a);
void hb_cmd_hb_infer(hb_args *a);
void hb_cmd_hb_batch(hb_args *a);

#endif /* HB_CMD_H */
