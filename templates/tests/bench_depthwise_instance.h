/* One conv2d_depthwise instance for bench_depthwise.c, from DW_CASE (name, channels, map size,
 * kernel size, dilation, activation): stride 1, "same" padding, bias, batch 1. */
#define DW_ARG(i, ...) DW_ARG_##i(__VA_ARGS__)
#define DW_ARG_0(a, ...) a
#define DW_ARG_1(a, b, ...) b
#define DW_ARG_2(a, b, c, ...) c
#define DW_ARG_3(a, b, c, d, ...) d
#define DW_ARG_4(a, b, c, d, e, ...) e
#define DW_ARG_5(a, b, c, d, e, f) f
#define DW_GET(i, args) DW_ARG(i, args)
#define KILN_FN DW_GET(0, DW_CASE)
#define KILN_N 1
#define KILN_CIN DW_GET(1, DW_CASE)
#define KILN_COUT KILN_CIN
#define KILN_GROUPS KILN_CIN
#define KILN_H DW_GET(2, DW_CASE)
#define KILN_W KILN_H
#define KILN_OH KILN_H
#define KILN_OW KILN_H
#define KILN_KH DW_GET(3, DW_CASE)
#define KILN_KW KILN_KH
#define KILN_SH 1
#define KILN_SW 1
#define KILN_DH DW_GET(4, DW_CASE)
#define KILN_DW KILN_DH
#define KILN_PH ((KILN_KH - 1) * KILN_DH / 2)
#define KILN_PW KILN_PH
#define KILN_HAS_BIAS 1
#define KILN_ACT DW_GET(5, DW_CASE)
#include "../conv/conv2d_depthwise.c"
static const shape KILN_CAT(KILN_FN, _shape) = {STR(KILN_FN), KILN_FN, KILN_CIN, KILN_H, KILN_KH, KILN_DH};
#include "undef_params.h"
#undef DW_CASE
