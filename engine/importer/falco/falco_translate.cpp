#include "importer/falco/falco_translate.h"

#include <algorithm>
#include <charconv>

#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::falco {
namespace {

// Falco fields that read as one vigil field with the same operators.
struct Simple {
  const char* falco;
  const char* vigil;
  const char* approximation;  // nullptr: exact
};

const Simple kSimple[] = {
    {"proc.name", "proc.name", nullptr},
    {"proc.pname", "proc.parent.name", nullptr},
    {"proc.exe", "proc.argv0", nullptr},
    {"proc.exepath", "proc.exe", nullptr},
    {"proc.pexepath", "proc.parent.exe", nullptr},
    {"proc.pexe", "proc.parent.exe",
     "proc.pexe (the parent's argv[0]) is read as proc.parent.exe (its executable path)"},
    {"proc.cmdline", "proc.cmdline",
     "proc.cmdline: Falco's begins with the process name, vigil's with argv[0] (a path when the "
     "program was started by path)"},
    {"proc.pcmdline", "proc.parent.cmdline",
     "proc.pcmdline: Falco's begins with the parent's name, vigil's with its argv[0]"},
    {"proc.cwd", "proc.cwd", nullptr},
    {"proc.tty", "proc.tty_dev", nullptr},
    {"proc.pid", "proc.pid", nullptr},
    {"proc.ppid", "proc.ppid", nullptr},
    {"proc.vpid", "proc.vpid", nullptr},
    {"proc.is_exe_upper_layer", "proc.is_exe_upper_layer", nullptr},
    {"proc.is_exe_from_memfd", "proc.exe_memfd", nullptr},
    {"user.name", "user.name", nullptr},
    {"user.loginname", "user.loginname", nullptr},
    {"user.uid", "proc.uid", nullptr},
    {"user.loginuid", "proc.loginuid", nullptr},
    {"group.gid", "proc.gid", nullptr},
    {"container.id", "container.id", nullptr},
    {"container.name", "container.name", nullptr},
    {"container.image", "container.image", nullptr},
    {"container.image.repository", "container.image",
     "container.image.repository is read as container.image, which includes the tag where the "
     "runtime records one"},
    {"container.image.digest", "container.image_digest", nullptr},
    {"container.privileged", "container.privileged", nullptr},
    {"k8s.ns.name", "k8s.ns", nullptr},
    {"k8s.pod.name", "k8s.pod.name", nullptr},
    {"k8s.pod.uid", "k8s.pod.uid", nullptr},
    {"fd.name", "file.path",
     "fd.name (a resolved path) is read as file.path, the path as the program gave it (relative "
     "and ../ paths are not resolved)"},
    {"fd.nameraw", "file.path", nullptr},
    {"fd.directory", "file.dir", nullptr},
    {"fd.filename", "file.name", nullptr},
    {"evt.arg.target", "file.path", nullptr},
    {"evt.arg.oldpath", "file.path", nullptr},
    {"evt.arg.linkpath", "file.newpath", nullptr},
    {"evt.arg.newpath", "file.newpath", nullptr},
    {"evt.arg.name", "file.path", nullptr},
    {"evt.arg.path", "file.path", nullptr},
    {"evt.arg.pathname", "file.path", nullptr},
    {"evt.rawres", "evt.retval", nullptr},
    {"fd.sip", "net.daddr", nullptr},
    {"fd.rip", "net.daddr", nullptr},
    {"fd.lip", "net.saddr", nullptr},
    {"fd.cip", "net.saddr", nullptr},
    {"fd.ip", "net.daddr", "fd.ip (either end) is read as net.daddr (the remote end)"},
    {"fd.net", "net.daddr", "fd.net (either end) is read as net.daddr (the remote end)"},
    {"fd.snet", "net.daddr", nullptr},
    {"fd.rnet", "net.daddr", nullptr},
    {"fd.cnet", "net.saddr", nullptr},
    {"fd.lnet", "net.saddr", nullptr},
    {"fd.rport", "net.dport", nullptr},
    {"fd.lport", "net.sport", nullptr},
    {"fd.dport", "net.dport", nullptr},
    {"fd.sport", "net.dport",
     "fd.sport (the server's port) is read as net.dport, right for outbound connections"},
};

const Simple* FindSimple(const std::string& f) {
  for (const auto& s : kSimple)
    if (f == s.falco) return &s;
  return nullptr;
}

bool ParseInt(const std::string& s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string Unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

VNode BoolPred(const std::string& field, bool want) {
  VNode p = Pred(field, "bool");
  return want ? p : Not(std::move(p));
}

const lang::FieldInfo* Info(const std::string& vigil_field) {
  auto id = lang::FieldByName(vigil_field.substr(0, vigil_field.find('[')));
  return id ? &lang::Field(*id) : nullptr;
}

VValue Str(const std::string& s) {
  return VValue{VValue::Kind::kString, s, 0};
}

}  // namespace

std::string Translator::VglListName(const std::string& n) {
  return VglName("falco_", n);
}
std::string Translator::VglMacroName(const std::string& n) {
  return VglName("falco_", n);
}

std::string Translator::EventTypeOfSyscall(const std::string& sc) {
  for (const auto& t : lang::AllEventTypes()) {
    if (t.name == sc) return std::string(t.name);
    std::string_view src = t.sources;
    if (src.rfind("tracepoint", 0) == 0) continue;
    auto cut = src.find(" (");
    if (cut != std::string_view::npos) src = src.substr(0, cut);
    size_t i = 0;
    while (i <= src.size()) {
      size_t j = src.find(", ", i);
      std::string_view one = src.substr(i, j == std::string_view::npos ? src.size() - i : j - i);
      if (one == sc) return std::string(t.name);
      if (j == std::string_view::npos) break;
      i = j + 2;
    }
  }
  if (sc == "execve" || sc == "execveat") return "exec";
  if (sc == "clone" || sc == "clone3" || sc == "fork" || sc == "vfork") return "fork";
  return "";
}

std::string Translator::OutputField(const std::string& falco) {
  std::string base = falco.substr(0, falco.find('['));
  std::string idx = falco.size() > base.size() ? falco.substr(base.size()) : "";
  if (base == "proc.aname" && !idx.empty()) return "proc.aname" + idx;
  if (!idx.empty()) return "";
  if (base == "evt.type" || base == "evt.time") return base;
  if (base == "evt.res") return "evt.retval";
  if (base == "proc.args") return "proc.args";
  if (base == "proc.tty") return "proc.tty";
  if (base == "evt.arg.flags") return "open.flags";
  if (base == "evt.arg.request") return "ptrace.request_name";
  if (base == "fd.l4proto") return "net.proto";
  if (base == "evt.arg.domain") return "net.family";
  if (base == "proc.exe") return "proc.argv0";
  if (const Simple* s = FindSimple(base)) return s->vigil;
  return "";
}

void Translator::Splice(const std::string& list, std::vector<std::string>* out, int depth) {
  auto it = voc_.lists.find(list);
  splicing_.push_back(list);
  for (const auto& raw : it->second) {
    // A list naming itself (directly or through others) is not spliced again: its name stays
    // an item, so that hostile input cannot make the expansion loop or explode.
    bool cycle = std::find(splicing_.begin(), splicing_.end(), raw) != splicing_.end();
    if (depth < 32 && !cycle && voc_.lists.count(raw)) {
      Splice(raw, out, depth + 1);
    } else {
      out->push_back(Unquote(raw));
    }
  }
  splicing_.pop_back();
}

Result<std::vector<std::string>> Translator::Items(const FNode& n, std::string* single) {
  std::vector<std::string> out;
  for (const auto& v : n.values) {
    if (!v.quoted && n.list && voc_.lists.count(v.text)) {
      Splice(v.text, &out, 0);
      if (n.values.size() == 1) *single = v.text;
    } else {
      out.push_back(v.text);
    }
  }
  return out;
}

VNode Translator::Drop(const std::string& why, bool positive) {
  approx_->insert(why);
  return positive ? True() : False();
}

Result<VNode> Translator::Condition(const FNode& c, std::set<std::string>* approximations) {
  approx_ = approximations;
  auto r = Node(c, true, 0);
  approx_ = nullptr;
  if (!r) return r;
  return Simplify(std::move(*r));
}

Result<VNode> Translator::Node(const FNode& n, bool positive, int depth) {
  if (depth > 64) return Error{"macros nest more than 64 deep (a cycle?)"};
  switch (n.kind) {
    case FNode::Kind::kAnd:
    case FNode::Kind::kOr: {
      VNode out;
      out.kind = n.kind == FNode::Kind::kAnd ? VNode::Kind::kAnd : VNode::Kind::kOr;
      for (const auto& k : n.kids) {
        auto r = Node(k, positive, depth + 1);
        if (!r) return r;
        out.kids.push_back(std::move(*r));
      }
      return out;
    }
    case FNode::Kind::kNot: {
      auto r = Node(n.kids[0], !positive, depth + 1);
      if (!r) return r;
      return Not(std::move(*r));
    }
    case FNode::Kind::kCmp:
      return Cmp(n, positive);
    case FNode::Kind::kMacro: {
      auto bad = voc_.macro_errors.find(n.name);
      if (bad != voc_.macro_errors.end())
        return Error{"macro '" + n.name + "' does not parse: " + bad->second};
      auto it = voc_.macros.find(n.name);
      if (it == voc_.macros.end()) {
        if (voc_.lists.count(n.name))
          return Error{"'" + n.name + "' is a list, used where a condition is expected"};
        return Error{"unknown macro '" + n.name + "'"};
      }
      if (std::find(expanding_.begin(), expanding_.end(), n.name) != expanding_.end())
        return Error{"macro '" + n.name + "' uses itself"};
      std::set<std::string> own;
      std::set<std::string>* outer = approx_;
      expanding_.push_back(n.name);
      approx_ = &own;
      auto r = Node(it->second, positive, depth + 1);
      expanding_.pop_back();
      approx_ = outer;
      if (!r) return Error{"in macro '" + n.name + "': " + r.error()};
      approx_->insert(own.begin(), own.end());
      VNode body = Simplify(std::move(*r));
      bool constant = body.kind == VNode::Kind::kTrue || body.kind == VNode::Kind::kFalse;
      if (own.empty() && !constant && !macro_unclean_.count(n.name)) {
        body.macro = VglMacroName(n.name);
        macro_bodies_[body.macro] = Render(body, true);
      } else {
        macro_unclean_.insert(n.name);
      }
      return body;
    }
  }
  return Error{"unreachable"};
}

Result<VNode> Translator::Cmp(const FNode& n, bool positive) {
  std::string field = n.name;
  std::string index;
  if (auto lb = field.find('['); lb != std::string::npos) {
    index = field.substr(lb);
    field = field.substr(0, lb);
  }
  const std::string& op = n.op;
  std::string single;
  auto items_r = Items(n, &single);
  if (!items_r) return Error{items_r.error()};
  std::vector<std::string> items = *items_r;
  std::string first = items.empty() ? "" : items[0];
  bool negated = op == "!=";
  auto wrap = [&](VNode v) { return negated ? Not(std::move(v)) : v; };
  auto unsupported = [&](const std::string& why) -> Result<VNode> {
    return Error{"'" + n.name + " " + op + "': " + why};
  };
  auto want_bool = [&](bool* out) -> bool {
    if (first == "true")
      *out = true;
    else if (first == "false")
      *out = false;
    else
      return false;
    if (negated) *out = !*out;
    return op == "=" || op == "!=";
  };

  // --- fields with their own meaning ---
  if (field == "evt.type") {
    if (op != "=" && op != "!=" && op != "in") return unsupported("evt.type takes =, != and in");
    std::vector<VValue> types;
    for (const auto& sc : items) {
      std::string t = EventTypeOfSyscall(sc);
      if (t.empty()) {
        approx_->insert("the syscall " + sc +
                        " has no vigil event type; that part of the "
                        "condition is left out");
        continue;
      }
      bool dup = false;
      for (const auto& x : types) dup |= x.text == t;
      if (!dup) types.push_back(Str(t));
    }
    if (types.empty()) return negated ? True() : False();
    VNode p = types.size() == 1 ? Pred("evt.type", "==", types) : Pred("evt.type", "in", types);
    return wrap(std::move(p));
  }
  if (field == "evt.dir") return (first == "<") != negated ? True() : False();
  if (field == "evt.num") {
    if (op == "=" && first == "0") return False();  // Falco's never_true
    return unsupported("evt.num (the event's sequence number) has no vigil counterpart");
  }
  if (field == "evt.is_open_read" || field == "evt.is_open_write") {
    bool want;
    if (!want_bool(&want)) return unsupported("expected = true or = false");
    return BoolPred(field == "evt.is_open_read" ? "open.read" : "open.write", want);
  }
  if (field == "fd.typechar" || field == "fd.type") {
    std::vector<VValue> fams;
    bool file = false;
    for (const auto& v : items) {
      if (v == "f" || v == "file" || v == "directory" || v == "d") {
        file = true;
      } else if (v == "4" || v == "ipv4") {
        fams.push_back(VValue{VValue::Kind::kConst, "AF_INET", 2});
      } else if (v == "6" || v == "ipv6") {
        fams.push_back(VValue{VValue::Kind::kConst, "AF_INET6", 10});
      } else if (v == "u" || v == "unix") {
        fams.push_back(VValue{VValue::Kind::kConst, "AF_UNIX", 1});
      } else {
        return unsupported("the descriptor type '" + v + "' has no vigil counterpart");
      }
    }
    if (op != "=" && op != "!=" && op != "in") return unsupported("expected =, != or in");
    if (file) {
      if (!fams.empty()) return unsupported("files and sockets in one test");
      return Drop(n.name +
                      " (a regular file) is not checked: vigil's open events are the opens "
                      "of files, directories and devices alike",
                  positive);
    }
    return wrap(fams.size() == 1 ? Pred("net.family", "==", fams) : Pred("net.family", "in", fams));
  }
  if (field == "fd.num") {
    int64_t v = 0;
    if (!ParseInt(first, &v)) return unsupported("expected a number");
    if ((op == ">=" && v == 0) || (op == ">" && v == -1) || (op == "!=" && v == -1))
      return BoolPred("evt.failed", false);
    if ((op == "=" && v == -1) || (op == "<" && v == 0)) return BoolPred("evt.failed", true);
    return unsupported("only the success tests fd.num>=0 and fd.num=-1 convert");
  }
  if (field == "evt.res") {
    if (op == "startswith" && first == "E") return BoolPred("evt.failed", true);
    static const std::map<std::string, int64_t> kErrno = {
        {"EPERM", 1},         {"ENOENT", 2},        {"EINTR", 4},   {"EAGAIN", 11},
        {"EACCES", 13},       {"EEXIST", 17},       {"EINVAL", 22}, {"ENOSYS", 38},
        {"EINPROGRESS", 115}, {"ECONNREFUSED", 111}};
    if (op == "=" || op == "!=") {
      if (first == "SUCCESS") return BoolPred("evt.failed", negated);
      auto e = kErrno.find(first);
      if (e != kErrno.end())
        return wrap(Pred("evt.retval", "==", {VValue{VValue::Kind::kInt, "", -e->second}}));
    }
    return unsupported("evt.res converts for startswith E, = SUCCESS and = a known errno name");
  }
  if (field == "fd.l4proto") {
    std::vector<VValue> ps;
    for (const auto& v : items) {
      if (v == "tcp")
        ps.push_back(VValue{VValue::Kind::kConst, "IPPROTO_TCP", 6});
      else if (v == "udp")
        ps.push_back(VValue{VValue::Kind::kConst, "IPPROTO_UDP", 17});
      else if (v == "icmp")
        ps.push_back(VValue{VValue::Kind::kConst, "IPPROTO_ICMP", 1});
      else
        return unsupported("unknown protocol '" + v + "'");
    }
    if (op != "=" && op != "!=" && op != "in") return unsupported("expected =, != or in");
    return wrap(ps.size() == 1 ? Pred("net.proto", "==", ps) : Pred("net.proto", "in", ps));
  }
  if (field == "fd.connected" || field == "fd.name_changed")
    return Drop(field + " has no vigil counterpart; the test is left out", positive);
  if (field == "thread.cap_effective" || field == "thread.cap_permitted" ||
      field == "thread.cap_inheritable")
    return Drop(field +
                    ": vigil carries the caller's capabilities on setuid, setgid and capset "
                    "events only; the capability test is left out",
                positive);
  if (field == "proc.duration")
    return Drop("proc.duration (the process's age) has no vigil counterpart; the test is left out",
                positive);
  if (field == "evt.arg.flags" || (field == "evt.arg" && index == "[flags]")) {
    if (op != "contains") return unsupported("evt.arg.flags converts with contains");
    return Pred("open.flags", "contains", {VValue{VValue::Kind::kConst, first, 0}});
  }
  if (field == "evt.arg.request" || field == "evt.arg.domain") {
    std::string vf = field == "evt.arg.request" ? "ptrace.request" : "net.family";
    const auto* info = Info(vf);
    auto value = lang::ConstantValue(*info, first);
    if (!value || (op != "contains" && op != "=" && op != "!="))
      return unsupported("expected contains or = a " + vf + " constant name");
    return wrap(Pred(vf, "==", {VValue{VValue::Kind::kConst, first, *value}}));
  }
  if (field == "proc.args") {
    approx_->insert(
        "proc.args (the arguments after argv[0]) is read from proc.cmdline after its "
        "first space");
    if (op == "exists") return True();
    if (op == "contains" || op == "icontains" || op == "startswith" || op == "endswith")
      return Pred("proc.cmdline", "args_" + op, {Str(first)});
    return unsupported("proc.args converts with contains, icontains, startswith and endswith");
  }
  if (field == "proc.aname" && (index.empty() || index == "[0]")) {
    if (index == "[0]")
      field = "proc.name";
    else {
      std::vector<VValue> vs;
      for (const auto& v : items) vs.push_back(Str(v));
      if (op == "=" || op == "!=") return wrap(Pred("proc.ancestors.name", "contains", vs));
      if (op == "in") {
        if (vs.empty()) return False();
        return Pred("proc.ancestors.name", "intersects", vs);
      }
      return unsupported("proc.aname without an index converts with =, != and in");
    }
  }
  if (field == "fd.sip.name" || field == "fd.rip.name" || field == "fd.cip.name")
    return unsupported("vigil does not resolve the peer's host name");

  // --- one-to-one fields ---
  std::string vfield;
  if (field == "proc.aname") {
    vfield = "proc.aname" + index;
  } else if (const Simple* s = FindSimple(field)) {
    if (!index.empty()) return unsupported("the field takes no index");
    vfield = s->vigil;
    if (s->approximation) approx_->insert(s->approximation);
  } else if (field != "proc.name") {
    return Error{"the Falco field '" + n.name + "' has no vigil counterpart"};
  } else {
    vfield = "proc.name";
  }
  const lang::FieldInfo* info = Info(vfield);
  if (!info) return Error{"internal: vigil field " + vfield + " missing"};
  if (op == "exists") return Pred(vfield, "exists");
  bool address_net = field == "fd.net" || field == "fd.snet" || field == "fd.cnet" ||
                     field == "fd.rnet" || field == "fd.lnet";
  if (field == "container.id")
    for (auto& v : items)
      if (v == "host") v = "";

  std::vector<VValue> values;
  for (const auto& v : items) {
    switch (info->type) {
      case lang::Type::kInt:
      case lang::Type::kUint: {
        int64_t x;
        if (ParseInt(v, &x)) {
          values.push_back(VValue{VValue::Kind::kInt, "", x});
        } else if (auto c = lang::ConstantValue(*info, v)) {
          values.push_back(VValue{VValue::Kind::kConst, v, *c});
        } else {
          return unsupported("'" + v + "' is not a number");
        }
        break;
      }
      case lang::Type::kAddress:
        values.push_back(address_net || v.find('/') != std::string::npos
                             ? VValue{VValue::Kind::kCidr, v, 0}
                             : Str(v));
        break;
      case lang::Type::kBool:
        break;
      default:
        values.push_back(Str(v));
    }
  }
  if (info->type == lang::Type::kBool) {
    bool want;
    if (!want_bool(&want)) return unsupported("expected = true or = false");
    return BoolPred(vfield, want);
  }
  bool is_string = info->type == lang::Type::kString;
  auto with_list = [&](VNode p) {
    if (single.empty() || values.empty()) return p;
    std::string name = VglListName(single);
    auto it = lists_.find(name);
    if (it == lists_.end()) {
      lists_[name] = values;
    } else if (it->second.size() != values.size() ||
               (!it->second.empty() && it->second[0].kind != values[0].kind)) {
      return p;  // used with another type elsewhere: written out in place
    }
    p.list_ref = name;
    return p;
  };
  if (info->type == lang::Type::kAddress) {
    if (op == "=" || op == "!=") {
      if (values[0].kind == VValue::Kind::kCidr) return wrap(Pred(vfield, "in", values));
      return Pred(vfield, op == "=" ? "==" : "!=", values);
    }
    if (op == "in") return values.empty() ? False() : Pred(vfield, "in", values);
    return unsupported("addresses take =, != and in");
  }
  if (op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (values.size() != 1) return unsupported("expected one value");
    if (is_string && op != "=" && op != "!=") return unsupported("strings have no order");
    if (vfield == "proc.cwd" && values[0].text.size() > 1 && values[0].text.back() == '/')
      values[0].text.pop_back();
    return Pred(vfield, op == "=" ? "==" : op, values);
  }
  if (op == "in") {
    if (values.empty()) return False();
    return with_list(Pred(vfield, "in", values));
  }
  if (!is_string) return unsupported("the operator needs a string field");
  if (op == "pmatch") {
    approx_->insert("pmatch is read as startswith (a prefix of the text, not of path components)");
    if (values.empty()) return False();
    return with_list(Pred(vfield, "startswith", values));
  }
  if (op == "startswith" && vfield == "proc.cwd") return Pred(vfield, "cwd_startswith", values);
  if (op == "startswith" || op == "endswith" || op == "contains" || op == "icontains" ||
      op == "glob") {
    if (values.empty()) return False();
    return with_list(Pred(vfield, op, values));
  }
  if (op == "regex") return Pred(vfield, "matches", values);
  return unsupported("the operator has no vigil counterpart");
}

}  // namespace vigil::importer::falco
