/* PulseMQ — error domains and codes
 *
 * Every fallible public call takes a GError ** as its last parameter. The
 * domains follow GStreamer's split: what the framework itself can get wrong
 * (core), what the outside world refuses (resource), what a data stream
 * contains (stream) and what a pipeline description says (parse).
 */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * PULSE_CORE_ERROR:
 *
 * Error domain for failures of the element graph itself.
 * Errors in this domain are from the #PulseCoreError enumeration.
 */
#define PULSE_CORE_ERROR (pulse_core_error_quark ())

/**
 * PulseCoreError:
 * @PULSE_CORE_ERROR_FAILED: a generic failure
 * @PULSE_CORE_ERROR_STATE_CHANGE: an element refused a state change
 * @PULSE_CORE_ERROR_NOT_LINKED: a pad that must be linked is not
 * @PULSE_CORE_ERROR_PLUGIN: an external element module could not be loaded
 * @PULSE_CORE_ERROR_DUPLICATE: a name is already taken
 * @PULSE_CORE_ERROR_NO_PAD: an element has no such pad
 * @PULSE_CORE_ERROR_LINK: two pads cannot be linked: a pad is taken or the
 *   formats do not fit
 *
 * Error codes of #PULSE_CORE_ERROR.
 */
typedef enum {
  PULSE_CORE_ERROR_FAILED,
  PULSE_CORE_ERROR_STATE_CHANGE,
  PULSE_CORE_ERROR_NOT_LINKED,
  PULSE_CORE_ERROR_PLUGIN,
  PULSE_CORE_ERROR_DUPLICATE,
  PULSE_CORE_ERROR_NO_PAD,
  PULSE_CORE_ERROR_LINK,
} PulseCoreError;

/**
 * PULSE_RESOURCE_ERROR:
 *
 * Error domain for resources outside the process: sockets, files,
 * databases. Errors in this domain are from #PulseResourceError.
 */
#define PULSE_RESOURCE_ERROR (pulse_resource_error_quark ())

/**
 * PulseResourceError:
 * @PULSE_RESOURCE_ERROR_FAILED: a generic failure
 * @PULSE_RESOURCE_ERROR_BIND: an address could not be bound
 * @PULSE_RESOURCE_ERROR_CONNECT: a peer could not be reached
 * @PULSE_RESOURCE_ERROR_READ: reading failed
 * @PULSE_RESOURCE_ERROR_WRITE: writing failed
 * @PULSE_RESOURCE_ERROR_NO_SPACE: a device is full
 * @PULSE_RESOURCE_ERROR_SETTINGS: a configuration value is unusable
 *
 * Error codes of #PULSE_RESOURCE_ERROR.
 */
typedef enum {
  PULSE_RESOURCE_ERROR_FAILED,
  PULSE_RESOURCE_ERROR_BIND,
  PULSE_RESOURCE_ERROR_CONNECT,
  PULSE_RESOURCE_ERROR_READ,
  PULSE_RESOURCE_ERROR_WRITE,
  PULSE_RESOURCE_ERROR_NO_SPACE,
  PULSE_RESOURCE_ERROR_SETTINGS,
} PulseResourceError;

/**
 * PULSE_STREAM_ERROR:
 *
 * Error domain for data that cannot be produced or understood.
 * Errors in this domain are from #PulseStreamError.
 */
#define PULSE_STREAM_ERROR (pulse_stream_error_quark ())

/**
 * PulseStreamError:
 * @PULSE_STREAM_ERROR_FAILED: a generic failure
 * @PULSE_STREAM_ERROR_FORMAT: a buffer has a format the element cannot take
 * @PULSE_STREAM_ERROR_ENCODE: data could not be encoded
 * @PULSE_STREAM_ERROR_DECODE: data could not be decoded
 * @PULSE_STREAM_ERROR_TOO_LARGE: data exceeds a configured limit
 * @PULSE_STREAM_ERROR_MALFORMED: a received message breaks the wire format
 *
 * Error codes of #PULSE_STREAM_ERROR.
 */
typedef enum {
  PULSE_STREAM_ERROR_FAILED,
  PULSE_STREAM_ERROR_FORMAT,
  PULSE_STREAM_ERROR_ENCODE,
  PULSE_STREAM_ERROR_DECODE,
  PULSE_STREAM_ERROR_TOO_LARGE,
  PULSE_STREAM_ERROR_MALFORMED,
} PulseStreamError;

/**
 * PULSE_PARSE_ERROR:
 *
 * Error domain of pulse_parse_launch(). Errors in this domain are from
 * #PulseParseError; a #PulseParseContext tells where the error is.
 */
#define PULSE_PARSE_ERROR (pulse_parse_error_quark ())

/**
 * PulseParseError:
 * @PULSE_PARSE_ERROR_SYNTAX: the description is not well formed
 * @PULSE_PARSE_ERROR_NO_ELEMENT: no element factory has that name
 * @PULSE_PARSE_ERROR_NO_PROPERTY: the element has no such writable property
 * @PULSE_PARSE_ERROR_BAD_VALUE: the value cannot be read as the property's type
 * @PULSE_PARSE_ERROR_OUT_OF_RANGE: the value is outside the property's range
 * @PULSE_PARSE_ERROR_LINK: two elements cannot be linked, or an element is left unlinked
 * @PULSE_PARSE_ERROR_NO_REFERENCE: a `name.` reference names no element
 * @PULSE_PARSE_ERROR_DUPLICATE_NAME: two elements have the same name
 *
 * Error codes of #PULSE_PARSE_ERROR.
 */
typedef enum {
  PULSE_PARSE_ERROR_SYNTAX,
  PULSE_PARSE_ERROR_NO_ELEMENT,
  PULSE_PARSE_ERROR_NO_PROPERTY,
  PULSE_PARSE_ERROR_BAD_VALUE,
  PULSE_PARSE_ERROR_OUT_OF_RANGE,
  PULSE_PARSE_ERROR_LINK,
  PULSE_PARSE_ERROR_NO_REFERENCE,
  PULSE_PARSE_ERROR_DUPLICATE_NAME,
} PulseParseError;

/**
 * PULSE_AUTH_ERROR:
 *
 * Error domain of subscriber authentication: key strings, key files and
 * CURVE keys. Errors in this domain are from #PulseAuthError.
 */
#define PULSE_AUTH_ERROR (pulse_auth_error_quark ())

/**
 * PulseAuthError:
 * @PULSE_AUTH_ERROR_INVALID_KEY: a key entry is not `user:password`, or a
 *   user name or password is unusable
 * @PULSE_AUTH_ERROR_KEY_FILE: a key file cannot be read
 * @PULSE_AUTH_ERROR_NO_KEYS: authentication is asked for but no key is given
 * @PULSE_AUTH_ERROR_CURVE_KEY: a CURVE key is not a Z85-encoded 32-byte key
 * @PULSE_AUTH_ERROR_CONFLICT: two configurations of one endpoint disagree
 *
 * Error codes of #PULSE_AUTH_ERROR.
 */
typedef enum {
  PULSE_AUTH_ERROR_INVALID_KEY,
  PULSE_AUTH_ERROR_KEY_FILE,
  PULSE_AUTH_ERROR_NO_KEYS,
  PULSE_AUTH_ERROR_CURVE_KEY,
  PULSE_AUTH_ERROR_CONFLICT,
} PulseAuthError;

GQuark pulse_core_error_quark (void);
GQuark pulse_resource_error_quark (void);
GQuark pulse_stream_error_quark (void);
GQuark pulse_parse_error_quark (void);
GQuark pulse_auth_error_quark (void);

G_END_DECLS
