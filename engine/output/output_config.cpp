#include "output/output_config.h"

namespace vigil::output {

Result<AlertFormat> ParseAlertFormat(const std::string& text) {
  if (text == "json") return AlertFormat::kJson;
  if (text == "text") return AlertFormat::kText;
  if (text == "falcosidekick") return AlertFormat::kFalcosidekick;
  return Error{"alert format '" + text + "': use json, text or falcosidekick"};
}

Result<Output> MakeOutput(const std::string& spec, const OutputConfig& config) {
  if (spec.rfind("webhook:", 0) == 0) {
    WebhookOptions options = config.webhook;
    options.url = spec.substr(8);
    auto sink = WebhookSink::Make(std::move(options));
    if (!sink) return Error{sink.error()};
    return Output{std::move(*sink), config.webhook_format};
  }
  if (spec == "kafka") {
    auto sink = KafkaSink::Make(config.kafka);
    if (!sink) return Error{sink.error()};
    return Output{std::move(*sink), config.kafka_format};
  }
  auto sink = MakeSink(spec);
  if (!sink) {
    if (sink.error().rfind("unknown output", 0) == 0)
      return Error{"unknown output '" + spec +
                   "': use stdout, file:PATH, syslog, syslog:SOCKET, webhook:URL or kafka"};
    return Error{sink.error()};
  }
  return Output{std::move(*sink), config.format};
}

}  // namespace vigil::output
