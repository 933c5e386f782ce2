#include "match/output_template.h"

#include <charconv>

#include "match/field_text.h"

namespace vigil::match {

OutputTemplate OutputTemplate::Parse(std::string_view text) {
  OutputTemplate t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({std::move(literal), false, {}, -1, {}});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    size_t close = c == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      literal += c;
      continue;
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    int index = -1;
    std::string key;
    auto bracket = name.find('[');
    if (bracket != std::string_view::npos && name.ends_with(']')) {
      std::string_view inside = name.substr(bracket + 1, name.size() - bracket - 2);
      int v = 0;
      auto [p, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), v);
      if (ec == std::errc() && p == inside.data() + inside.size()) {
        index = v;
        name = name.substr(0, bracket);
      } else if (lang::FieldByName(name.substr(0, bracket)) == lang::FieldId::kProcEnv &&
                 lang::IsFieldKey(inside)) {
        key = inside;
        name = name.substr(0, bracket);
      }
    }
    auto id = lang::FieldByName(name);
    if (id && !key.empty()) {
      flush();
      t.parts_.push_back({"", true, *id, -1, std::move(key)});
      i = close;
      continue;
    }
    // An index is taken by indexed fields (proc.aname[1]) and lists (proc.args[1], element N
    // from 0); any other form is left as written (lint reports it, V018/V033/V045).
    const bool takes_index =
        id && (lang::Field(*id).indexed || lang::Field(*id).type == lang::Type::kStringList);
    if (!id || (index >= 0 && !takes_index) || (index < 0 && lang::Field(*id).indexed)) {
      literal += text.substr(i, close - i + 1);
    } else {
      flush();
      t.parts_.push_back({"", true, *id, index, {}});
    }
    i = close;
  }
  flush();
  return t;
}

void OutputTemplate::Render(const EventRecord& r, std::string* out) const {
  for (const auto& p : parts_) {
    if (p.is_field && !p.key.empty())
      AppendKeyedFieldText(r, p.field, p.key, out);
    else if (p.is_field)
      AppendFieldText(r, p.field, p.index, out);
    else
      out->append(p.literal);
  }
}

}  // namespace vigil::match
