// An agent output from its --output spec and the options of its kind: stdout, file:PATH,
// syslog[:SOCKET] (sinks.h), webhook:URL (webhook_sink.h) and kafka (kafka_sink.h); and the
// alert format each one takes.
#pragma once

#include <memory>
#include <string>

#include "output/kafka_sink.h"
#include "output/sinks.h"
#include "output/webhook_sink.h"
#include "util/result.h"

namespace vigil::output {

// How an alert is written for an output.
enum class AlertFormat { kJson, kText, kFalcosidekick };

// "json", "text" or "falcosidekick".
Result<AlertFormat> ParseAlertFormat(const std::string& text);

struct OutputConfig {
  AlertFormat format = AlertFormat::kJson;  // stdout, file and syslog
  WebhookOptions webhook;                   // url: from the spec
  AlertFormat webhook_format = AlertFormat::kJson;
  KafkaOptions kafka;
  AlertFormat kafka_format = AlertFormat::kJson;
};

struct Output {
  std::unique_ptr<Sink> sink;
  AlertFormat format = AlertFormat::kJson;
};

// Parses a spec: stdout, file:PATH, syslog, syslog:SOCKET, webhook:URL or kafka. An error that
// says what is wrong for anything else, or an output that cannot be set up.
Result<Output> MakeOutput(const std::string& spec, const OutputConfig& config);

}  // namespace vigil::output
