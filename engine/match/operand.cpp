#include "match/operand.h"

#include "match/path_parts.h"

namespace vigil::match {

using lang::FieldId;

const char* TransformName(Transform t) {
  switch (t) {
    case Transform::kLower:
      return "lower";
    case Transform::kBasename:
      return "basename";
    case Transform::kDirname:
      return "dirname";
    case Transform::kLen:
      return "len";
  }
  return "?";
}

std::string Operand::Describe() const {
  std::string inner(lang::Field(field).name);
  if (index >= 0) inner += "[" + std::to_string(index) + "]";
  if (!key.empty()) inner += "[" + key + "]";
  for (Transform t : transforms) inner = std::string(TransformName(t)) + "(" + inner + ")";
  return inner;
}

bool ReadIndexed(const Operand& op, const EventRecord& r, std::string_view* out) {
  // proc.aname is the only indexed field: its list is proc.ancestors.name, nearest first.
  if (op.index <= 0) return false;
  size_t n = static_cast<size_t>(op.index);
  if (r.Has(FieldId::kProcAncestorsName)) {
    auto names = r.List(FieldId::kProcAncestorsName);
    if (n > names.size()) return false;
    *out = names[n - 1];
    return true;
  }
  if (n == 1 && r.Has(FieldId::kProcParentName)) {
    *out = r.String(FieldId::kProcParentName);
    return true;
  }
  return false;
}

bool ReadKeyed(const Operand& op, const EventRecord& r, std::string_view* out) {
  if (!r.Has(op.field)) return false;
  for (const std::string& entry : r.List(op.field)) {
    if (entry.size() > op.key.size() && entry[op.key.size()] == '=' &&
        entry.compare(0, op.key.size(), op.key) == 0) {
      *out = std::string_view(entry).substr(op.key.size() + 1);
      return true;
    }
  }
  return false;
}

bool Operand::Present(const EventRecord& r) const {
  if (!key.empty()) {
    std::string_view ignored;
    return ReadKeyed(*this, r, &ignored);
  }
  if (index >= 0) {
    std::string_view ignored;
    return ReadIndexed(*this, r, &ignored);
  }
  return r.Has(field);
}

namespace {

// The field's own text (or the N-th ancestor's), before transformers.
bool ReadRawString(const Operand& op, const EventRecord& r, std::string_view* out) {
  if (op.index >= 0) return ReadIndexed(op, r, out);
  if (!op.key.empty()) return ReadKeyed(op, r, out);
  if (!r.Has(op.field)) return false;
  *out = r.String(op.field);
  return true;
}

// Applies the string transformers in order. With `scratch` null, lower() is skipped: it never
// changes a length, which is all len() needs.
std::string_view ApplyTransforms(const Operand& op, std::string_view v, std::string* scratch) {
  for (Transform t : op.transforms) {
    switch (t) {
      case Transform::kBasename:
        v = Basename(v);
        break;
      case Transform::kDirname:
        v = Dirname(v);
        break;
      case Transform::kLower:
        if (!scratch) break;
        scratch->assign(v);
        for (char& c : *scratch)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        v = *scratch;
        break;
      case Transform::kLen:
        return v;  // always last
    }
  }
  return v;
}

}  // namespace

bool ReadStringSlow(const Operand& op, const EventRecord& r, std::string& scratch,
                    std::string_view* out) {
  std::string_view v;
  if (!ReadRawString(op, r, &v)) return false;
  *out = ApplyTransforms(op, v, &scratch);
  return true;
}

bool ReadNumberSlow(const Operand& op, const EventRecord& r, Wide* out) {
  if (!op.transforms.empty() && op.transforms.back() == Transform::kLen) {
    if (op.field_type == lang::Type::kStringList) {
      if (!r.Has(op.field)) return false;
      *out = static_cast<Wide>(r.List(op.field).size());
      return true;
    }
    std::string_view v;
    if (!ReadRawString(op, r, &v)) return false;
    *out = static_cast<Wide>(ApplyTransforms(op, v, nullptr).size());
    return true;
  }
  if (!r.Has(op.field)) return false;
  switch (op.field_type) {
    case lang::Type::kInt:
      *out = r.Int(op.field);
      return true;
    case lang::Type::kUint:
    case lang::Type::kFlags:
    case lang::Type::kBool:
      *out = r.Uint(op.field);
      return true;
    default:
      return false;
  }
}

}  // namespace vigil::match
