// libcurl for the webhook output, loaded (dlopen) when the first webhook output is made rather
// than linked into vigil (see output/shared_library.h). Calls go through the table:
// `curl->curl_easy_perform(handle)`.
#pragma once

// In C++, curl.h defines curl_easy_setopt(h, o, p) and curl_easy_getinfo as macros that expand
// to the same call (to insist on three arguments), so `curl->curl_easy_setopt(h, o, p)` stays
// what it says.
#include <curl/curl.h>

#include <string>

#include "output/shared_library.h"
#include "util/result.h"

// Every libcurl function vigil calls.
#define VIGIL_CURL_FUNCTIONS(X) \
  X(curl_global_init)           \
  X(curl_easy_init)             \
  X(curl_easy_setopt)           \
  X(curl_easy_perform)          \
  X(curl_easy_getinfo)          \
  X(curl_easy_strerror)         \
  X(curl_easy_cleanup)          \
  X(curl_slist_append)          \
  X(curl_slist_free_all)

namespace vigil::output {

struct CurlLibrary {
  VIGIL_CURL_FUNCTIONS(VIGIL_LIBRARY_FUNCTION)
};

// libcurl from `soname` (the webhook output asks for libcurl.so.4), loaded and
// curl_global_init'ed once per process; an error names the library and the Debian package
// (libcurl4) when it or one of its functions is missing.
Result<const CurlLibrary*> LoadCurl(const std::string& soname);

}  // namespace vigil::output
