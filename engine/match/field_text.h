// Field values as text for people: rule output templates and the text alert format.
// Flags print as their constant names (O_WRONLY|O_CREAT), addresses in their usual notation,
// lists as [a, b]. The result is raw (may hold anything the monitored system wrote): the
// output stage escapes it for JSON or for a terminal.
#pragma once

#include <cstdint>
#include <string>

#include "lang/fields.h"
#include "match/checks.h"
#include "match/event_record.h"

namespace vigil::match {

// Shown in place of an absent field.
inline constexpr std::string_view kAbsentText = "<NA>";

// How `field contains NAME` tests a flag: open(2)'s access modes (O_RDONLY 0, O_WRONLY 1,
// O_RDWR 2) share a 2-bit field (O_ACCMODE); every other flag is its own bits.
FlagTest MakeFlagTest(lang::FieldId field, std::string name, uint64_t value);

// O_WRONLY|O_CREAT|O_TRUNC; bits without a name as a hex remainder; "0" for none.
std::string FlagsText(lang::FieldId field, uint64_t value);

// Appends the value of `field` (index >= 0: proc.aname[N], or element N of a list field such
// as proc.args, counted from 0) or kAbsentText.
void AppendFieldText(const EventRecord& r, lang::FieldId field, int index, std::string* out);

// Appends the value of a keyed list's NAME=value entry ({proc.env[LD_PRELOAD]}) or kAbsentText.
void AppendKeyedFieldText(const EventRecord& r, lang::FieldId field, const std::string& key,
                          std::string* out);

}  // namespace vigil::match
