// A rule's `output` string, parsed once: literal text and {field} / {field[N]} /
// {proc.env[NAME]} slots.
// `{{` and `}}` stand for literal braces. A slot naming an unknown field (lint reports it)
// is kept as literal text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "match/event_record.h"

namespace vigil::match {

class OutputTemplate {
 public:
  static OutputTemplate Parse(std::string_view text);
  // Appends the rendered text; absent fields render as <NA>.
  void Render(const EventRecord& r, std::string* out) const;
  bool empty() const { return parts_.empty(); }
  // The fields the template names, in order (repeats kept).
  std::vector<lang::FieldId> Fields() const {
    std::vector<lang::FieldId> out;
    for (const auto& p : parts_)
      if (p.is_field) out.push_back(p.field);
    return out;
  }

 private:
  struct Part {
    std::string literal;  // used when !is_field
    bool is_field = false;
    lang::FieldId field{};
    int index = -1;
    std::string key;  // {proc.env[NAME]}: the keyed list's entry NAME
  };
  std::vector<Part> parts_;
};

}  // namespace vigil::match
