#include "output/webhook_sink.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "output/alert.h"
#include "output/curl_library.h"

namespace vigil::output {
namespace {

size_t DiscardBody(char*, size_t size, size_t n, void*) {
  return size * n;
}

int AbortWhenCancelled(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(cancelled)->load() ? 1 : 0;
}

bool Permanent(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_TOO_MANY_REDIRECTS:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string WebhookDisplayName(const std::string& url) {
  std::string u = url;
  if (auto q = u.find_first_of("?#"); q != std::string::npos) u.resize(q);
  const size_t scheme = u.find("://");
  const size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t path = u.find('/', host_start);
  const size_t at = u.rfind('@', path == std::string::npos ? u.size() : path);
  if (at != std::string::npos && at >= host_start) u.erase(host_start, at + 1 - host_start);
  return "webhook:" + u;
}

Status CheckHeader(const std::string& header) {
  const size_t colon = header.find(':');
  if (colon == std::string::npos || colon == 0)
    return Error{"header '" + header + "': write it as 'Name: value'"};
  for (size_t i = 0; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(header[i]);
    if (!std::isalnum(c) &&
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return Error{"header '" + header + "': '" + header.substr(0, colon) +
                   "' is not a valid header name"};
  }
  if (header.find_first_of("\r\n") != std::string::npos)
    return Error{"header '" + header.substr(0, colon) + "': the value holds a line break"};
  return OkStatus();
}

WebhookSink::WebhookSink(WebhookOptions options)
    : options_(std::move(options)), name_(WebhookDisplayName(options_.url)) {}

WebhookSink::~WebhookSink() {
  if (curl_) lib_->curl_easy_cleanup(static_cast<CURL*>(curl_));
  if (header_list_) lib_->curl_slist_free_all(static_cast<curl_slist*>(header_list_));
}

Result<std::unique_ptr<WebhookSink>> WebhookSink::Make(WebhookOptions options) {
  const std::string& url = options.url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error{"webhook URL '" + url + "': use http:// or https://"};
  for (const auto& h : options.headers)
    if (auto ok = CheckHeader(h); !ok) return Error{"webhook " + ok.error()};
  for (const std::string* file : {&options.ca_file, &options.client_cert, &options.client_key})
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0)
      return Error{"webhook: cannot read " + *file};
  if (options.client_cert.empty() != options.client_key.empty())
    return Error{"webhook: give both a client certificate and its key, or neither"};
  if (options.backoff_min.count() <= 0) options.backoff_min = std::chrono::milliseconds(1);
  if (options.backoff_max < options.backoff_min) options.backoff_max = options.backoff_min;

  auto loaded = LoadCurl(options.library);
  if (!loaded) return Error{"webhook output: " + loaded.error()};
  const CurlLibrary& lib = **loaded;
  std::unique_ptr<WebhookSink> sink(new WebhookSink(std::move(options)));
  sink->lib_ = &lib;
  CURL* curl = lib.curl_easy_init();
  if (!curl) return Error{"webhook: cannot set up the HTTP client (curl_easy_init)"};
  sink->curl_ = curl;
  const WebhookOptions& o = sink->options_;
  curl_slist* list = nullptr;
  bool content_type = false;
  for (const auto& h : o.headers) {
    std::string name = h.substr(0, h.find(':'));
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    content_type = content_type || name == "content-type";
    list = lib.curl_slist_append(list, h.c_str());
  }
  if (!content_type) list = lib.curl_slist_append(list, "Content-Type: application/json");
  list = lib.curl_slist_append(list, "Expect:");  // no 100-continue round trip
  sink->header_list_ = list;

  lib.curl_easy_setopt(curl, CURLOPT_URL, o.url.c_str());
  lib.curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  lib.curl_easy_setopt(curl, CURLOPT_POST, 1L);
  lib.curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  lib.curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  lib.curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout.count()));
  lib.curl_easy_setopt(curl, CURLOPT_USERAGENT, (std::string("vigil/") + VigilVersion()).c_str());
  lib.curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  lib.curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  lib.curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, AbortWhenCancelled);
  lib.curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &sink->cancelled_);
  lib.curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) lib.curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!o.client_cert.empty()) {
    lib.curl_easy_setopt(curl, CURLOPT_SSLCERT, o.client_cert.c_str());
    lib.curl_easy_setopt(curl, CURLOPT_SSLKEY, o.client_key.c_str());
  }
  return sink;
}

WebhookSink::Attempt WebhookSink::Post(const std::string& body) {
  const CurlLibrary& lib = *lib_;
  CURL* curl = static_cast<CURL*>(curl_);
  lib.curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  lib.curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  char error[CURL_ERROR_SIZE] = "";
  lib.curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = lib.curl_easy_perform(curl);
  lib.curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    return {.ok = false,
            .retry = !Permanent(rc),
            .error = std::string(lib.curl_easy_strerror(rc)) +
                     (error[0] ? std::string(": ") + error : "")};
  }
  long status = 0;
  lib.curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {.ok = true};
  const bool retry = status == 408 || status == 429 || status >= 500;
  return {.ok = false, .retry = retry, .error = "HTTP " + std::to_string(status)};
}

bool WebhookSink::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, d, [this] { return cancelled_.load(); });
}

void WebhookSink::Cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_.store(true);
  }
  wake_.notify_all();
}

Status WebhookSink::Write(const std::string& line, Severity) {
  std::chrono::milliseconds backoff = options_.backoff_min;
  for (uint32_t attempt = 1;; ++attempt) {
    if (cancelled_.load()) return Error{name_ + ": stopping, not sent"};
    Attempt a = Post(line);
    if (a.ok) {
      if (retries_since_ok_ > 0)
        spdlog::info("output {}: delivering again after {} retries", name_, retries_since_ok_);
      retries_since_ok_ = 0;
      return OkStatus();
    }
    if (cancelled_.load()) return Error{name_ + ": stopping, not sent (" + a.error + ")"};
    if (!a.retry) return Error{name_ + ": " + a.error + " (not retried)"};
    if (options_.max_attempts != 0 && attempt >= options_.max_attempts)
      return Error{name_ + ": " + a.error + " (gave up after " + std::to_string(attempt) +
                   " attempts)"};
    // Half the backoff plus a random part of the other half, so that a fleet of agents whose
    // collector came back does not retry in step.
    jitter_ ^= jitter_ << 13;
    jitter_ ^= jitter_ >> 7;
    jitter_ ^= jitter_ << 17;
    const auto half = backoff.count() / 2;
    const auto wait = std::chrono::milliseconds(
        half + (half > 0 ? static_cast<int64_t>(jitter_ % static_cast<uint64_t>(half + 1)) : 0));
    retries_.fetch_add(1, std::memory_order_relaxed);
    ++retries_since_ok_;
    const auto now = std::chrono::steady_clock::now();
    if (last_retry_log_ == std::chrono::steady_clock::time_point{} ||
        now - last_retry_log_ >= AsyncSink::kFailureLogInterval) {
      spdlog::warn("output {}: {}; retrying in {} ms ({} retries so far; alerts wait in the queue)",
                   name_, a.error, wait.count(), retries_since_ok_);
      last_retry_log_ = now;
    }
    if (!Sleep(wait)) return Error{name_ + ": stopping, not sent (" + a.error + ")"};
    backoff = std::min(options_.backoff_max, backoff * 2);
  }
}

}  // namespace vigil::output
