// The fast replay reader (the one-pass scanner, then simdjson) against the reference one
// (RecordFromJsonLine, nlohmann): for every line, the same verdict, the same error text and the
// same record, whichever tier read it. Hand-written lines cover what the parsers disagree on
// (duplicate keys, -0, big numbers, dotted keys, a byte order mark, deep nests) and where the
// scanner hands a line on; random mutations of valid lines cover the rest, read in place with
// bytes after them that would complete them.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "output/record_json.h"
#include "output/record_json_reader.h"

namespace vigil::output {
namespace {

const PolicyIndex kPolicies = {{"host", 0}, {"web", 3}};

// The record as text: every field and the metadata.
std::string Dump(const match::EventRecord& r) {
  return RecordToJson(r).dump() + " type=" + std::to_string(static_cast<int>(r.type()));
}

// Reads `line` both ways; returns "" when they agree, else what differs. With `after`, the fast
// reader reads the line in place, followed by `after` and padding (which it must not read as
// part of the line).
std::string Differ(RecordJsonReader& reader, const std::string& line,
                   const std::string* after = nullptr) {
  match::EventRecord want, got;
  auto a = RecordFromJsonLine(line, kPolicies, &want);
  std::string buffer;
  if (after) buffer = line + *after + std::string(RecordJsonReader::kPadding, '}');
  auto b = after ? reader.Read(std::string_view(buffer.data(), line.size()), kPolicies, &got,
                               /*padded=*/true)
                 : reader.Read(line, kPolicies, &got);
  if (a.ok() != b.ok()) return "verdicts differ: " + std::string(a ? "ok" : a.error());
  if (!a) return a.error() == b.error() ? "" : "errors differ: " + a.error() + " / " + b.error();
  return Dump(want) == Dump(got) ? "" : "records differ: " + Dump(want) + " / " + Dump(got);
}

const std::vector<std::string> kValid = {
    R"({"evt":{"type":"open","time":1700000000000000000,"retval":3},"file":{"path":"/etc/shadow"},"open":{"flags":524288},"proc":{"pid":42,"name":"cat","args":["cat","/etc/shadow"],"parent":{"name":"bash"}},"policies":["host","web","nope"]})",
    R"({"evt":{"type":"exec","failed":false},"proc":{"exe":"/usr/bin/curl","uid":0,"ancestors":{"name":["bash","sshd","systemd"]}},"incomplete":true,"policy_version":7,"policies":9})",
    R"({"evt":{"type":"connect","retval":-111},"net":{"daddr":"2001:db8::1","dport":443,"family":10},"container":{"id":"0123456789ab"}})",
    R"( {"evt" : {"type":"connect"} , "net":{"daddr":"10.1.2.3","dport":22}, "unknown":{"a":[1,{"b":null}]}}  )",
    R"({"evt":{"type":"open"},"file":{"path":"\u00e9t\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0000"}})",
    R"({"evt":{"type":"exit"},"exit":{"code":255},"x":1.5e300,"y":-0.0,"z":-0e1,"w":1e-400})",
};

TEST(RecordJsonReader, ReadsWhatTheReferenceReaderReads) {
  RecordJsonReader reader;
  for (const auto& line : kValid) {
    EXPECT_EQ(Differ(reader, line), "") << line;
  }
  EXPECT_EQ(reader.stats().slow, 0u) << "valid lines of the usual shape take the fast path";
  EXPECT_EQ(reader.stats().scanned, 4u) << "the scanner reads all but \\u escapes and floats";
  EXPECT_EQ(reader.stats().fast, 2u);
}

TEST(RecordJsonReader, ScansTheUsualShapeAndHandsOnTheRest) {
  struct Case {
    std::string line;
    bool scanned;  // whether the scanner reads it (else a later tier does)
  };
  const std::vector<Case> cases = {
      // escapes other than \u are decoded by the scanner, in values, lists and policy names
      {R"({"evt":{"type":"open"},"file":{"path":"/a\"b\\c\/d\n\t\r\b\f"},"proc":{"args":["x\"y",""]},"policies":["h\u006fst"]})",
       false},
      {R"({"evt":{"type":"open"},"file":{"path":"/a\"b\\c\/d\n\t\r\b\f"},"proc":{"args":["x\"y",""]},"policies":["ho\/st","web"]})",
       true},
      {R"({"evt":{"type":"open"},"file":{"path":"tab\tend\"},"x":"\q"})", false},
      // blanks wherever JSON allows them
      {" \t{ \"evt\" :\r\n{ \"type\" : \"open\" } , \"policies\" : [ ] , \"x\" : [ ] , "
       "\"y\" : { } , \"proc\" : { \"args\" : [ ] } } \r\n",
       true},
      // integers at the edges of their types, literals in unknown keys
      {R"({"evt":{"type":"open","retval":-9223372036854775808},"policies":18446744073709551615,"policy_version":4294967295,"u":[true,false,null,-1,0]})",
       true},
      {R"({"evt":{"type":"open","retval":9223372036854775807},"proc":{"uid":4294967295}})", true},
      {R"({"evt":{"type":"open"},"policies":18446744073709551616})", false},
      {R"({"evt":{"type":"open"},"x":18446744073709551616})", false},
      {R"({"evt":{"type":"open"},"x":-0})", false},
      {R"({"evt":{"type":"open"},"x":01})", false},
      {R"({"evt":{"type":"open"},"x":1.0})", false},
      // an escape in a key, a dotted key, a duplicate, nesting past the scanner's depth
      {R"({"evt":{"type":"open"},"p\u0072oc":{"pid":1}})", false},
      {R"({"evt":{"type":"open"},"pro\/c":{"pid":1}})", false},
      {R"({"evt":{"type":"open"},"a.b":1})", false},
      {R"({"evt":{"type":"open","type":"exec"}})", false},
      {R"({"evt":{"type":"open"},"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]})", false},
      {R"({"evt":{"type":"open"},"x":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]})", true},
      // errors
      {R"({"evt":{"type":"open"},"file":{"path":"a)"
       "\x01"
       R"("}})",
       false},
      {std::string(R"({"evt":{"type":"open"}})") + std::string(1, '\0'), false},
      {R"({"evt":{"type":"open"},})", false},
      {R"({"evt":{"type":"open"},"x":[1,]})", false},
      {R"({"evt":{"type":"open"},"x":tru})", false},
      {R"({"evt":{"type":"open"},"proc":{"pid":"1"}})", false},
  };
  for (const auto& c : cases) {
    RecordJsonReader reader;
    EXPECT_EQ(Differ(reader, c.line), "") << c.line;
    EXPECT_EQ(reader.stats().scanned, c.scanned ? 1u : 0u) << c.line;
  }
}

TEST(RecordJsonReader, AgreesWhereTheParsersDiffer) {
  const std::vector<std::string> lines = {
      // nlohmann keeps the last of duplicate keys, whole objects included
      R"({"evt":{"type":"open"},"file":{"path":"/a"},"file":{"path":"/b"}})",
      R"({"evt":{"type":"open"},"proc":{"pid":1},"proc":{"uid":2}})",
      R"({"evt":{"type":"open"},"evt":{"type":"exec"}})",
      R"({"evt":{"type":"open"},"policies":1,"policies":["web"]})",
      // -0 is a signed integer to nlohmann: not a non-negative one
      R"({"evt":{"type":"open"},"proc":{"pid":-0}})",
      R"({"evt":{"type":"open"},"evt":{"retval":-0}})",
      R"({"evt":{"type":"open","retval":-0},"policy_version":-0})",
      R"({"evt":{"type":"open"},"file":{"path":"/x-0"}})",
      R"({"evt":{"type":"open"},"proc":{"pid": -0,"args":["node-0"]}})",
      R"({"evt":{"type":"open"},"policies":[ -0]})",
      R"({"evt":{"type":"open"},"policies":	-0})",
      // -0 where a signed field takes it (0 in both), with and without a non-negative 0 or -0
      // elsewhere in the line
      R"({"evt":{"type":"open","retval":-0},"proc":{"pid":7}})",
      R"({"evt":{"type":"open","retval":-0},"proc":{"uid":0}})",
      R"({"evt":{"type":"open","retval":-0},"proc":{"uid":-0}})",
      R"({"proc":{"uid":0,"euid":-0},"evt":{"type":"open"}})",
      // integers beyond 64 bits are doubles to nlohmann, errors to simdjson
      R"({"evt":{"type":"open"},"proc":{"pid":123456789012345678901234567890}})",
      R"({"evt":{"type":"open"},"x":123456789012345678901234567890,"y":-9223372036854775809})",
      R"({"evt":{"type":"open","retval":-9223372036854775808},"policies":18446744073709551615})",
      R"({"evt":{"type":"open","retval":9223372036854775808}})",
      // dotted keys name fields to RecordFromJson
      R"({"evt.type":"open","file":{"path":"/a"}})",
      R"({"evt":{"type":"open"},"proc.name":"bash","proc":{"parent.name":"sh"}})",
      R"({"evt":{"type":"open"},"k8s.pod":"x"})",
      // a byte order mark, trailing text, two documents, numbers out of range
      "\xef\xbb\xbf{\"evt\":{\"type\":\"open\"}}",
      R"({"evt":{"type":"open"}} x)",
      R"({"evt":{"type":"open"}}{"evt":{"type":"exec"}})",
      R"({"evt":{"type":"exec"},"x":1e400})",
      R"({"evt":{"type":"exec"},"proc":{"uid":4294967296}})",
      R"({"evt":{"type":"exec"},"proc":{"aname":"bash"}})",
      R"({"evt":{"type":"exec"},"policy_version":4294967296})",
      // strings nlohmann refuses
      R"({"evt":{"type":"open"},"file":{"path":"/tmp/\ud800l"}})",
      R"({"evt":{"type":"open"},"file":{"path":"/tmp/\udc00"}})",
      "{\"evt\":{\"type\":\"open\"},\"file\":{\"path\":\"/tmp/\xff\"}}",
      "{\"evt\":{\"type\":\"open\"},\"file\":{\"path\":\"/tmp/\xed\xa0\x80\"}}",
      "{\"evt\":{\"type\":\"open\"},\"file\":{\"path\":\"a\tb\"}}",
      // shapes
      R"([1,2])",
      R"("open")",
      R"({})",
      R"({"evt":{}})",
      R"({"evt":{"type":"opne"}})",
      R"({"evt":{"type":7}})",
      R"({"evt":{"type":"open"},"incomplete":1})",
      R"({"evt":{"type":"open"},"proc":{"args":["a",1]}})",
      R"({"evt":{"type":"connect"},"net":{"daddr":"999.1.1.1"}})",
      R"({"evt":{"type":"open"},"open":{"flags":1.0}})",
      R"({"evt":{"type":"open"},"policies":[1]})",
      R"({"evt":{"type":"open"},"policies":-1})",
  };
  RecordJsonReader reader;
  for (const auto& line : lines) EXPECT_EQ(Differ(reader, line), "") << line;
  // Only the lines simdjson reads as nlohmann does stayed on the fast path.
  EXPECT_GT(reader.stats().slow, 30u);
  EXPECT_GT(reader.stats().fast, 0u);

  std::string deep = R"({"evt":{"type":"exec"},"future":)";
  for (int i = 0; i < 100000; ++i) deep += R"({"a":)";
  deep += "1" + std::string(100000, '}') + "}";
  EXPECT_EQ(Differ(reader, deep), "");
}

TEST(RecordJsonReader, ReadsIntegersOfEveryLength) {
  // The scanner reads 8 digits at a time, then one at a time: every length up to 21 digits,
  // with a non-digit at each place of the first 17 and digits on either side of an 8-byte
  // boundary, reads as the reference reader reads it.
  RecordJsonReader reader;
  const std::string digits = "987654321098765432109";
  for (size_t n = 1; n <= digits.size(); ++n) {
    for (const char* key : {"time", "retval"}) {
      for (const char* sign : {"", "-"}) {
        const std::string number = sign + digits.substr(0, n);
        const std::string line =
            std::string(R"({"evt":{"type":"open",")") + key + "\":" + number + "}}";
        EXPECT_EQ(Differ(reader, line), "") << line;
        for (size_t bad = 0; bad < std::min<size_t>(n, 17); ++bad) {
          for (const char c : {'x', '/', ':', '.', 'e'}) {
            std::string broken = number;
            broken[broken.size() - n + bad] = c;
            const std::string bad_line =
                std::string(R"({"evt":{"type":"open",")") + key + "\":" + broken + "}}";
            EXPECT_EQ(Differ(reader, bad_line), "") << bad_line;
          }
        }
      }
    }
  }
  EXPECT_GT(reader.stats().scanned, 50u);
}

TEST(RecordJsonReader, KeepsStringsThatLookLikeMinusZeroOnTheFastPath) {
  RecordJsonReader reader;
  const std::string line =
      R"({"evt":{"type":"open"},"host":{"name":"node-0"},"file":{"path":"/var/log/x-0"}})";
  EXPECT_EQ(Differ(reader, line), "");
  EXPECT_EQ(reader.stats().scanned, 1u);
  EXPECT_EQ(reader.stats().slow, 0u);
}

TEST(RecordJsonReader, MatchesKeysOnTheirWholeText) {
  // The key table compares a key's length and first 8 bytes, then the rest: keys of 8 bytes
  // and more, keys that share those bytes with a field's, prefixes of a field's key and keys
  // holding a NUL must each read as the reference reader reads them.
  const std::vector<std::string> lines = {
      R"({"evt":{"type":"exec","boottime":5},"exec":{"filename":"/bin/sh","args_truncated":true}})",
      R"({"evt":{"type":"exec"},"exec":{"filenamf":"/a","filename2":"/b","filenam":"/c"}})",
      R"({"evt":{"type":"exec"},"proc":{"ancestors":{"name":["a","b"]},"ancestorsX":{"name":[]}}})",
      R"({"evt":{"type":"exec"},"proc":{"args_truncatex":true,"args_truncate":1,"args_":2}})",
      R"({"evt":{"type":"exec"},"policy_versiom":1,"policy_version":4,"":{"":""}})",
      R"({"evt\u0000":{"type":"open"},"evt":{"type":"exec","type\u0000x":"open"},"p":1})",
      R"({"evt":{"type":"exec"},"boottime":1,"evt_":{"boottime":"x"},"proc":{"boottime":2}})",
  };
  RecordJsonReader reader;
  for (const auto& line : lines) EXPECT_EQ(Differ(reader, line), "") << line;
  EXPECT_EQ(reader.stats().slow, 0u) << "unknown keys without a dot stay on the fast path";

  match::EventRecord r;
  ASSERT_TRUE(reader.Read(lines[0], kPolicies, &r));
  EXPECT_EQ(r.String(lang::FieldId::kExecFilename), "/bin/sh");
  EXPECT_TRUE(r.Bool(lang::FieldId::kExecArgsTruncated));
  ASSERT_TRUE(reader.Read(lines[1], kPolicies, &r));
  EXPECT_FALSE(r.Has(lang::FieldId::kExecFilename));
}

TEST(RecordJsonReader, AgreesOnRandomMutationsOfValidLines) {
  // Bytes that change JSON's structure, numbers, escapes and UTF-8.
  const std::string alphabet = "{}[]\",:-0123456789.eE+\\u /tnfx\xc3\xa9\xff\xed\x80 \t";
  std::mt19937_64 rng(20261202);
  RecordJsonReader reader;
  size_t failures = 0;
  for (int i = 0; i < 20000 && failures < 5; ++i) {
    std::string line = kValid[rng() % kValid.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !line.empty(); ++e) {
      const size_t at = rng() % line.size();
      switch (rng() % 5) {
        case 0:
          line.erase(at, 1);
          break;
        case 1:
          line.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          line[at] = alphabet[rng() % alphabet.size()];
          break;
        case 3:
          line.resize(at);
          break;
        case 4: {  // repeat a span: duplicate keys and values
          const size_t len = std::min<size_t>(line.size() - at, 1 + rng() % 40);
          line.insert(at, line.substr(at, len));
          break;
        }
      }
    }
    // Read in place, the line is followed by the valid line it came from: bytes that would
    // complete a cut line, as the next lines of a batch may.
    const std::string& rest = kValid[i % kValid.size()];
    for (const std::string* after : {static_cast<const std::string*>(nullptr), &rest}) {
      const std::string why = Differ(reader, line, after);
      if (!why.empty()) {
        ++failures;
        ADD_FAILURE() << why << "\n  line: " << line;
      }
    }
  }
  EXPECT_GT(reader.stats().scanned, 1000u);
  EXPECT_GT(reader.stats().fast, 1000u);
  EXPECT_GT(reader.stats().slow, 1000u);
}

TEST(RecordJsonReader, NeverReadsPastTheEndOfALine) {
  // Every prefix of every valid line, read in place with the rest of the line after it.
  RecordJsonReader reader;
  for (const auto& line : kValid) {
    for (size_t cut = 0; cut <= line.size(); ++cut) {
      const std::string head = line.substr(0, cut), rest = line.substr(cut);
      EXPECT_EQ(Differ(reader, head, &rest), "") << head;
    }
  }
}

}  // namespace
}  // namespace vigil::output
