/* pro_dw3_gelu.h: the depthwise prologue of VAN's MLP (3x3, padding 1, bias, GELU) for a
 * conv2d_gemm case of test_kernels.c; undef_params.h clears it with the rest. */
#define KILN_PRO 1
#define KILN_PRO_KH 3
#define KILN_PRO_KW 3
#define KILN_PRO_PH 1
#define KILN_PRO_PW 1
#define KILN_PRO_DH 1
#define KILN_PRO_DW 1
#define KILN_PRO_HAS_BIAS 1
#define KILN_PRO_ACT 3
