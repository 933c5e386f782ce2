// A value or an error: how every stage reports failures across its module edges (no exceptions
// leave a stage, no bool + message out-parameters). Header-only and dependency-free, so every
// stage can use it.
//
// The error is a message (Error) by default. A stage whose failures point into source text
// uses its own error type instead: the language and compile stages return
// Result<T, lang::Diagnostics>, so that each failure keeps its code and file:line:col until
// engine/output renders it.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace vigil {

struct Error {
  std::string message;
};

template <class T, class E = Error>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  // The message for Result<T>; the error object itself for any other error type.
  decltype(auto) error() const {
    if constexpr (std::is_same_v<E, Error>)
      return (std::get<1>(v_).message);
    else
      return (std::get<1>(v_));
  }
  E& error_value() { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() {
  return Ok{};
}

}  // namespace vigil
