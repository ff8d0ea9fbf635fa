/*
 * hb_io.h - the app's data path, shared by the MLPerf commands and the hb-* extensions: the input
 * buffer (MLPerf's "db" buffer) and how it is filled (hex or raw with CRC), the model's inputs and
 * outputs, timed invocation, and framed binary replies.
 *
 * Every function that fails prints its own e-[...] line; the caller only stops.
 */
#ifndef HB_IO_H
#define HB_IO_H

#include <stddef.h>
#include <stdint.h>

/* The input buffer: HB_DB_BUFFER_SIZE bytes, 16-byte aligned. */
uint8_t *hb_io_buffer(void);
size_t hb_io_capacity(void);
/* Bytes loaded so far (by db HEX, hb-put); inference reads exactly these. */
size_t hb_io_loaded(void);
/* Forget the contents (a batch reuses the buffer for its own data). */
void hb_io_clear(void);

/* `db load N`: expect N bytes as hex. 0, or -1 after printing e-[...] (N outside 1..capacity). */
int hb_io_expect(uint32_t n);
/* `db HEX`: append the bytes of an even-length hex token; all or nothing. Returns 1 when the announced
 * size is complete, 0 when more is expected, -1 after printing e-[...]. */
int hb_io_append_hex(const char *hex);
/* `db print`: m-buffer-xx-xx-... lines of 8 loaded bytes each. */
void hb_io_print(void);
/* Receive `len` raw bytes from the UART into the buffer at `offset` and check their CRC-32.
 * On a mismatch prints e-[WHAT crc mismatch: received ... expected ...], empties the buffer, returns -1.
 * The caller checked offset + len against the capacity. */
int hb_io_receive(const char *what, size_t offset, size_t len, uint32_t crc);
/* Mark `len` bytes (received by hb_io_receive at offset 0) as the loaded input. */
void hb_io_set_loaded(size_t len);

/* Total bytes of all input (output) tensors of one inference; 0 without a model. */
size_t hb_io_input_bytes(void);
size_t hb_io_output_bytes(void);
/* Samples one hb-batch can take: the inputs and outputs of all of them share the buffer. */
size_t hb_io_batch_max(void);
/* Copy the loaded bytes into the input tensors, in order; 0, or -1 after printing e-[...]. */
int hb_io_load_inputs(void);
/* Same from src[0..len): len must be the model's total input bytes. */
int hb_io_load_inputs_from(const uint8_t *src, size_t len);
/* Copy all output tensors, in order, to dst (hb_io_output_bytes() bytes). */
void hb_io_copy_outputs(uint8_t *dst);
/* Run one inference; returns its ticks, or UINT64_MAX after printing e-[invoke failed: ...]. */
uint64_t hb_io_timed_invoke(void);

/* A binary reply: m-hb-frame-LEN-CRC\r\n, LEN raw bytes, \r\n (hil_bench/link/framing.py). */
void hb_io_send_frame(const void *data, size_t len);

#endif /* HB_IO_H */
