/*
 * hb_mlperf_ad.h - MLPerf Tiny's anomaly detection (ad01) convention for `infer` and `results`.
 *
 * The reference ad01 firmware takes its input as float32, quantizes it on the device with the input
 * tensor's scale and zero point, and reports ONE number: the anomaly score, the mean squared error
 * between that float input and the dequantized reconstruction (the autoencoder's output). Built with
 * --mlperf-model ad01 (HB_MLPERF_ANOMALY 1 in hb_board_config.h) the app does the same, and also takes
 * the int8 input itself (the score then compares with the dequantized int8 input).
 */
#ifndef HB_MLPERF_AD_H
#define HB_MLPERF_AD_H

#include "hb_board_config.h"

#ifndef HB_MLPERF_ANOMALY
#define HB_MLPERF_ANOMALY 0
#endif

/* The db buffer into the input tensor: float32 (4 bytes per input element, quantized here) or int8.
 * 0, or -1 after printing e-[...]. */
int hb_mlperf_ad_load(void);

/* m-results-[SCORE]: mean of (dequantized output - input)^2 over the elements, %0.3f. */
void hb_mlperf_ad_results(void);

#endif /* HB_MLPERF_AD_H */
