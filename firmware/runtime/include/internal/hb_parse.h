/* hb_parse.h - reading the .tflite tables into the interpreter's tensor and operator tables. */
#ifndef HB_PARSE_H
#define HB_PARSE_H

#include "internal/hb_interp.h"

/* Parse and validate the model's only subgraph: tensors, graph inputs/outputs, operators and
 * their order (every non-constant input written by an earlier op), tensor lifetimes. */
hb_status hb_parse_model(hb_interpreter *ip);

#endif /* HB_PARSE_H */
