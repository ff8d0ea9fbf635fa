/*
 * The operator families: each family file (src/ops/hb_op_<family>.c) defines its rows at its end
 * (builtin code or custom name, prepare, eval, flags), and this list is the only place that names
 * the families. Parse finds an operator's row by code through hb_op_row_at(), prepare and eval call
 * through the row, hb_interpreter_op_name() prints its name.
 * Adding an operator to a family: its kernel, and its data, prepare, eval and row in the family file.
 * Adding a family: its file, and one line here.
 */
#include "internal/hb_op.h"

#define HB_FAMILY(f) extern const hb_op_row hb_op_rows_##f[]; extern const uint32_t hb_op_rows_##f##_len;
HB_FAMILY(conv)
HB_FAMILY(fc)
HB_FAMILY(elementwise)
HB_FAMILY(pool)
HB_FAMILY(activation)
HB_FAMILY(quant)
HB_FAMILY(shape)
HB_FAMILY(reduce)
HB_FAMILY(decode)
#undef HB_FAMILY

#define HB_FAMILY(f) {hb_op_rows_##f, &hb_op_rows_##f##_len}
static const hb_op_family k_families[] = {
    HB_FAMILY(conv), HB_FAMILY(fc), HB_FAMILY(elementwise), HB_FAMILY(pool), HB_FAMILY(activation),
    HB_FAMILY(quant), HB_FAMILY(shape), HB_FAMILY(reduce), HB_FAMILY(decode),
};

const hb_op_row *hb_op_row_at(uint32_t index)
{
    uint32_t f;
    for (f = 0; f < HB_OP_ROWS_LEN(k_families); f++) {
        if (index < *k_families[f].count) {
            return &k_families[f].rows[index];
        }
        index -= *k_families[f].count;
    }
    return 0;
}
