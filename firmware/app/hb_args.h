/*
 * hb_args.h - the arguments of one command: a tokenizer with an explicit cursor, and argument checks
 * that answer every malformed argument with an e-[...] line naming the command and its usage.
 *
 * The cursor lives in the caller's hb_args, so handlers share no hidden state: the dispatcher makes
 * one per command line and passes it to the handler.
 */
#ifndef HB_ARGS_H
#define HB_ARGS_H

#include <stdint.h>

typedef struct hb_args {
    char *next;        /* rest of the line (tokens are cut in place); NULL once it is used up */
    const char *cmd;   /* the command, for error messages */
    const char *usage; /* its usage line, for error messages */
} hb_args;

/* Start reading `line` (modified in place); the first token is the command's name. */
void hb_args_init(hb_args *a, char *line);
/* Next space-separated token, or NULL when none is left. */
char *hb_args_next(hb_args *a);

/* A required unsigned argument named `what` in lo..hi; 1 on success, else prints e-[...] and returns 0. */
int hb_args_u32(hb_args *a, const char *what, uint32_t lo, uint32_t hi, uint32_t *out);
/* Same for an optional one: when absent, *out keeps its default and the call succeeds. */
int hb_args_opt_u32(hb_args *a, const char *what, uint32_t lo, uint32_t hi, uint32_t *out);
/* 1 when no argument is left, else prints e-[... unexpected argument ...] and returns 0. */
int hb_args_end(hb_args *a);
/* Print e-[CMD: MESSAGE; usage: USAGE] (the message is printf-formatted). */
void hb_args_error(const hb_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse an unsigned decimal or 0x-hex token; returns 0 on failure or overflow (and leaves *out alone). */
int hb_parse_u32(const char *tok, uint32_t *out);

#endif /* HB_ARGS_H */
