// librdkafka for the Kafka output, loaded (dlopen) when the first Kafka output is made rather
// than linked into vigil (see output/shared_library.h). Calls go through the table:
// `kafka->rd_kafka_produce(...)`.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "output/shared_library.h"
#include "util/result.h"

// Every librdkafka function vigil calls.
#define VIGIL_RDKAFKA_FUNCTIONS(X) \
  X(rd_kafka_conf_new)             \
  X(rd_kafka_conf_set)             \
  X(rd_kafka_conf_destroy)         \
  X(rd_kafka_conf_set_opaque)      \
  X(rd_kafka_conf_set_dr_msg_cb)   \
  X(rd_kafka_conf_set_error_cb)    \
  X(rd_kafka_conf_set_log_cb)      \
  X(rd_kafka_new)                  \
  X(rd_kafka_destroy)              \
  X(rd_kafka_opaque)               \
  X(rd_kafka_topic_new)            \
  X(rd_kafka_topic_destroy)        \
  X(rd_kafka_produce)              \
  X(rd_kafka_poll)                 \
  X(rd_kafka_outq_len)             \
  X(rd_kafka_flush)                \
  X(rd_kafka_purge)                \
  X(rd_kafka_last_error)           \
  X(rd_kafka_err2str)              \
  X(rd_kafka_err2name)

namespace vigil::output {

struct RdKafkaLibrary {
  VIGIL_RDKAFKA_FUNCTIONS(VIGIL_LIBRARY_FUNCTION)
};

// librdkafka from `soname` (the Kafka output asks for librdkafka.so.1), loaded once per
// process; an error names the library and the Debian package (librdkafka1) when it or one of
// its functions is missing.
Result<const RdKafkaLibrary*> LoadRdKafka(const std::string& soname);

}  // namespace vigil::output
