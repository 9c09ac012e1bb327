/* PulseMQ — brokerless pub → sub middleware for market data
 *
 * The one header applications include: <pulsemq/pulsemq.h>.
 */
#pragma once

#define PULSE_INSIDE

#include <glib-object.h>

#include "pulse-version.h"
#include "pulse-error.h"
#include "pulse-format.h"
#include "pulse-record-batch.h"
#include "pulse-buffer.h"
#include "pulse-message.h"
#include "pulse-bus.h"
#include "pulse-pad.h"
#include "pulse-element.h"
#include "pulse-pipeline.h"
#include "pulse-registry.h"
#include "pulse-param.h"
#include "pulse-parse.h"
#include "pulse-protocol.h"
#include "pulse-codec.h"
#include "pulse-subscriber.h"
#include "pulse-auth.h"
#include "pulse-producer.h"
#include "pulse-stats.h"
#include "pulse-admin-server.h"
#include "pulse-enum-types.h"

#undef PULSE_INSIDE
