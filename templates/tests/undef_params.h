/* Undefines every template parameter, as the generator does after pasting an instance.
 * Undefining a name that is not defined is harmless, so one list serves all templates and
 * also clears any default a template filled in for a parameter the instance left out. */
#undef KILN_FN
#undef KILN_N
#undef KILN_C
#undef KILN_CIN
#undef KILN_H
#undef KILN_W
#undef KILN_HW
#undef KILN_COUT
#undef KILN_OH
#undef KILN_OW
#undef KILN_KH
#undef KILN_KW
#undef KILN_SH
#undef KILN_SW
#undef KILN_PH
#undef KILN_PW
#undef KILN_DH
#undef KILN_DW
#undef KILN_GROUPS
#undef KILN_MR
#undef KILN_NR
#undef KILN_NT
#undef KILN_MCHUNKS
#undef KILN_TG
#undef KILN_M
#undef KILN_NV
#undef KILN_HAS_BIAS
#undef KILN_HAS_RESIDUAL
#undef KILN_ACT
#undef KILN_COUNT
#undef KILN_IN
#undef KILN_OUT
