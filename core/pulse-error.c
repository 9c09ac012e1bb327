/* PulseMQ — error domains */
#include "config.h"

#include "pulse-error.h"

/* the first argument is stringified as is: keep clang-format away */
/* clang-format off */

/**
 * pulse_core_error_quark:
 *
 * Returns: the quark of #PULSE_CORE_ERROR
 */
G_DEFINE_QUARK (pulse-core-error-quark, pulse_core_error)

/**
 * pulse_resource_error_quark:
 *
 * Returns: the quark of #PULSE_RESOURCE_ERROR
 */
G_DEFINE_QUARK (pulse-resource-error-quark, pulse_resource_error)

/**
 * pulse_stream_error_quark:
 *
 * Returns: the quark of #PULSE_STREAM_ERROR
 */
G_DEFINE_QUARK (pulse-stream-error-quark, pulse_stream_error)

/**
 * pulse_parse_error_quark:
 *
 * Returns: the quark of #PULSE_PARSE_ERROR
 */
G_DEFINE_QUARK (pulse-parse-error-quark, pulse_parse_error)

/**
 * pulse_auth_error_quark:
 *
 * Returns: the quark of #PULSE_AUTH_ERROR
 */
G_DEFINE_QUARK (pulse-auth-error-quark, pulse_auth_error)
/* clang-format on */
