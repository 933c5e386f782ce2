// HTTP webhook output: each alert is POSTed as one JSON document (the alert line, or the
// falcosidekick payload: the agent renders it) to a URL, over TLS for https:// (libcurl with
// OpenSSL: the system's CA store or a given bundle, optionally a client certificate), with the
// operator's extra headers. libcurl is loaded when the first webhook output is made
// (output/curl_library.h), not linked. A destination that is down, slow or answers 408, 429 or 5xx
// is retried with exponential backoff until it takes the alert, so the writer thread stalls and the
// AsyncSink queue in front of it holds what comes meanwhile: nothing is lost while it fits in
// the queue, and what does not fit is counted as dropped. An answer that retrying cannot fix
// (another 4xx, a redirect, a certificate the bundle does not trust, a malformed URL) fails the
// alert at once, counted and logged.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "output/sinks.h"
#include "util/result.h"

namespace vigil::output {

struct WebhookOptions {
  std::string url;                      // http:// or https://
  std::vector<std::string> headers;     // "Name: value" each
  std::string ca_file;                  // PEM bundle that verifies the server (empty: the system's)
  std::string client_cert, client_key;  // PEM, for servers that ask for a client certificate
  std::chrono::milliseconds timeout{10000};  // one attempt, connection included
  std::chrono::milliseconds backoff_min{200};
  std::chrono::milliseconds backoff_max{30000};
  uint32_t max_attempts = 0;  // 0: until delivered (or the sink is cancelled)
  // The libcurl loaded (dlopen) when the first webhook output is made; tests name a missing one.
  std::string library = "libcurl.so.4";
};

struct CurlLibrary;

// Checks a header ("Name: value", a token name, no CR or LF): an error that says what is wrong.
Status CheckHeader(const std::string& header);

class WebhookSink : public Sink {
 public:
  // Checks the options (URL scheme, headers, readable files) and sets up the HTTP client.
  static Result<std::unique_ptr<WebhookSink>> Make(WebhookOptions options);
  ~WebhookSink() override;
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  Status Write(const std::string& line, Severity severity) override;
  void Cancel() override;
  uint64_t retries() const override { return retries_.load(); }
  // webhook:URL without credentials or query string (they may hold secrets).
  std::string Name() const override { return name_; }

 private:
  explicit WebhookSink(WebhookOptions options);
  // One POST. ok: delivered; otherwise whether retrying may help.
  struct Attempt {
    bool ok = false;
    bool retry = false;
    std::string error;
  };
  Attempt Post(const std::string& body);
  // Sleeps `d` unless cancelled; false when cancelled.
  bool Sleep(std::chrono::milliseconds d);

  WebhookOptions options_;
  std::string name_;
  const CurlLibrary* lib_ = nullptr;  // loaded for the process's life
  void* curl_ = nullptr;              // CURL*
  void* header_list_ = nullptr;       // curl_slist*
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> retries_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  uint64_t jitter_ = 0x2545f4914f6cdd1dULL;
  // Retries are logged at most every AsyncSink::kFailureLogInterval (writer thread only).
  std::chrono::steady_clock::time_point last_retry_log_{};
  uint64_t retries_since_ok_ = 0;
};

// "webhook:URL" without user:password@ and without ?query.
std::string WebhookDisplayName(const std::string& url);

}  // namespace vigil::output
