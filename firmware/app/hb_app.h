/*
 * hb_app.h - shared state of the on-device app: the MLPerf "db" buffer and the command tokenizer.
 */
#ifndef HB_APP_H
#define HB_APP_H

#include <stddef.h>
#include <stdint.h>

#define HB_CMD_SIZE 80u /* EE_CMD_SIZE in MLPerf Tiny's monitor */

extern uint8_t g_db_buf[];
extern size_t g_db_size; /* bytes announced by `db load N` or `hb-put N` */
extern size_t g_db_pos;  /* bytes received so far */

/* Next space-separated token of the current command, or NULL. */
char *hb_next_token(void);
/* Parse an unsigned decimal or 0x-hex token; returns 0 on failure (and leaves *out alone). */
int hb_parse_u32(const char *tok, uint32_t *out);

/* Copy the db buffer into the input tensors (in order); 0 on success, prints the e-[...] line on failure. */
int hb_load_inputs(void);
/* Same from src[0..len): len must be the model's total input bytes. */
int hb_load_inputs_from(const uint8_t *src, size_t len);
/* Total bytes of all input (output) tensors of one inference; 0 without a model. */
size_t hb_input_bytes(void);
size_t hb_output_bytes(void);
/* Run one inference; returns its ticks, or UINT64_MAX on failure (after printing e-[...]). */
uint64_t hb_timed_invoke(void);

/* hil-bench extensions ("hb-..." commands); returns 1 if the command was one of them. */
int hb_ext_parse(const char *cmd);

#endif /* HB_APP_H */
