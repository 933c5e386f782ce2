// Every operator and transformer of the language over every field type, through the real
// front end, compiler and matchers, including absent fields: a missing field never matches a
// positive test, and `!=` / `not in` (their negations) are then true.
#include <gtest/gtest.h>

#include "match_harness.h"

namespace vigil::testing {
namespace {

using lang::EventType;

match::EventRecord OpenOf(const std::string& path) {
  auto r = Event(EventType::kOpen);
  r.SetString(F("file.path"), path);
  return r;
}

match::EventRecord ProcNamed(const std::string& name) {
  auto r = Event(EventType::kOpen);
  r.SetString(F("proc.name"), name);
  return r;
}

// ---- strings --------------------------------------------------------------------------

TEST(StringOps, Equality) {
  auto c = CompileRule("open", "file.path == \"/etc/shadow\"");
  EXPECT_TRUE(Fires(c, OpenOf("/etc/shadow")));
  EXPECT_FALSE(Fires(c, OpenOf("/etc/shadow2")));
  EXPECT_FALSE(Fires(c, OpenOf("/ETC/SHADOW")));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));  // absent
}

TEST(StringOps, NotEqualIsTrueOnAbsent) {
  auto c = CompileRule("open", "proc.name != \"sshd\"");
  EXPECT_TRUE(Fires(c, ProcNamed("cat")));
  EXPECT_FALSE(Fires(c, ProcNamed("sshd")));
  EXPECT_TRUE(Fires(c, Event(EventType::kOpen)));
}

TEST(StringOps, ContainsAndIContains) {
  auto c = CompileRule("open", "file.path contains \"shadow\"");
  EXPECT_TRUE(Fires(c, OpenOf("/etc/gshadow-")));
  EXPECT_FALSE(Fires(c, OpenOf("/etc/SHADOW")));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));
  auto i = CompileRule("open", "file.path icontains \"ShAdOw\"");
  EXPECT_TRUE(Fires(i, OpenOf("/etc/SHADOW")));
  EXPECT_TRUE(Fires(i, OpenOf("/etc/shadow")));
  EXPECT_FALSE(Fires(i, OpenOf("/etc/shado")));
  EXPECT_FALSE(Fires(i, Event(EventType::kOpen)));
}

TEST(StringOps, StartsWithEndsWith) {
  auto s = CompileRule("open", "file.path startswith \"/etc/\"");
  EXPECT_TRUE(Fires(s, OpenOf("/etc/passwd")));
  EXPECT_FALSE(Fires(s, OpenOf("/etc")));
  EXPECT_FALSE(Fires(s, Event(EventType::kOpen)));
  auto e = CompileRule("open", "file.path endswith \".so\"");
  EXPECT_TRUE(Fires(e, OpenOf("/lib/libc.so")));
  EXPECT_FALSE(Fires(e, OpenOf("/lib/libc.so.6")));
  EXPECT_FALSE(Fires(e, Event(EventType::kOpen)));
}

TEST(StringOps, Glob) {
  auto c = CompileRule("open", "file.path glob \"/home/*/.ssh/id_*\"");
  EXPECT_TRUE(Fires(c, OpenOf("/home/alice/.ssh/id_rsa")));
  EXPECT_TRUE(Fires(c, OpenOf("/home/a/b/.ssh/id_ed25519")));  // * crosses '/'
  EXPECT_FALSE(Fires(c, OpenOf("/home/alice/.ssh/known_hosts")));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));
  auto cls = CompileRule("open", "file.name glob \"tty[0-9]?\"");
  EXPECT_TRUE(Fires(cls, OpenOf("/dev/tty12")));
  EXPECT_FALSE(Fires(cls, OpenOf("/dev/ttyS1")));
}

TEST(StringOps, MatchesSearchesUnanchored) {
  auto c = CompileRule("open", "file.path matches '\\.(pem|key)$'");
  EXPECT_TRUE(Fires(c, OpenOf("/srv/tls/server.key")));
  EXPECT_FALSE(Fires(c, OpenOf("/srv/tls/server.key.bak")));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));
  auto anchored = CompileRule("open", "proc.name matches '^python[0-9.]*$'");
  EXPECT_TRUE(Fires(anchored, ProcNamed("python3.11")));
  EXPECT_FALSE(Fires(anchored, ProcNamed("xpython3")));
}

TEST(StringOps, InAndNotIn) {
  auto c = CompileRule("open", "proc.name in [sshd, sudo, \"su\"]");
  EXPECT_TRUE(Fires(c, ProcNamed("sudo")));
  EXPECT_FALSE(Fires(c, ProcNamed("sud")));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));
  auto n = CompileRule("open", "proc.name not in tools", "list tools = [sshd, sudo]\n");
  EXPECT_TRUE(Fires(n, ProcNamed("cat")));
  EXPECT_FALSE(Fires(n, ProcNamed("sshd")));
  EXPECT_TRUE(Fires(n, Event(EventType::kOpen)));  // absent: not in is true
}

TEST(StringOps, FieldAgainstField) {
  auto c = CompileRule("exec", "proc.name == proc.parent.name");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.name"), "bash");
  r.SetString(F("proc.parent.name"), "bash");
  EXPECT_TRUE(Fires(c, r));
  r.SetString(F("proc.parent.name"), "sshd");
  EXPECT_FALSE(Fires(c, r));
  r.Erase(F("proc.parent.name"));
  EXPECT_FALSE(Fires(c, r));
  auto ic = CompileRule("exec", "proc.cmdline icontains proc.name");
  auto e = Event(EventType::kExec);
  e.SetString(F("proc.cmdline"), "/usr/bin/BASH -c id");
  e.SetString(F("proc.name"), "bash");
  EXPECT_TRUE(Fires(ic, e));
}

TEST(Transformers, LowerBasenameDirnameLen) {
  auto lower = CompileRule("exec", "lower(proc.name) == \"powershell\"");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.name"), "PowerShell");
  EXPECT_TRUE(Fires(lower, r));
  EXPECT_FALSE(Fires(lower, Event(EventType::kExec)));

  auto base = CompileRule("exec", "basename(proc.exe) in [nc, ncat]");
  auto e = Event(EventType::kExec);
  e.SetString(F("proc.exe"), "/usr/bin/ncat");
  EXPECT_TRUE(Fires(base, e));
  e.SetString(F("proc.exe"), "/usr/bin/ncat/x");
  EXPECT_FALSE(Fires(base, e));

  auto dir = CompileRule("exec", "dirname(proc.exe) == \"/tmp\"");
  e.SetString(F("proc.exe"), "/tmp/payload");
  EXPECT_TRUE(Fires(dir, e));
  e.SetString(F("proc.exe"), "/tmp/x/payload");
  EXPECT_FALSE(Fires(dir, e));

  auto len = CompileRule("exec", "len(proc.cmdline) > 10");
  e.SetString(F("proc.cmdline"), "0123456789A");
  EXPECT_TRUE(Fires(len, e));
  e.SetString(F("proc.cmdline"), "0123456789");
  EXPECT_FALSE(Fires(len, e));
  EXPECT_FALSE(Fires(len, Event(EventType::kExec)));

  auto nested = CompileRule("exec", "lower(basename(proc.exe)) startswith \"py\"");
  e.SetString(F("proc.exe"), "/usr/bin/PYthon3");
  EXPECT_TRUE(Fires(nested, e));
}

// ---- numbers --------------------------------------------------------------------------

TEST(IntOps, Comparisons) {
  struct Case {
    const char* op;
    int64_t value;
    bool expect;
  };
  const Case cases[] = {{"==", 80, true}, {"==", 81, false}, {"!=", 81, true}, {"<", 81, true},
                        {"<", 80, false}, {"<=", 80, true},  {">", 79, true},  {">", 80, false},
                        {">=", 80, true}, {">=", 81, false}};
  for (const auto& k : cases) {
    auto c =
        CompileRule("connect", std::string("net.dport ") + k.op + " " + std::to_string(k.value));
    auto r = Event(EventType::kConnect);
    r.SetInt(F("net.dport"), 80);
    EXPECT_EQ(Fires(c, r), k.expect) << "80 " << k.op << " " << k.value;
    EXPECT_EQ(Fires(c, Event(EventType::kConnect)), std::string(k.op) == "!=")
        << "absent, " << k.op;
  }
}

TEST(IntOps, NegativeValuesAndConstants) {
  auto c = CompileRule("open", "evt.retval < 0");
  auto r = Event(EventType::kOpen);
  r.SetInt(F("evt.retval"), -13);
  EXPECT_TRUE(Fires(c, r));
  r.SetInt(F("evt.retval"), 3);
  EXPECT_FALSE(Fires(c, r));

  auto sig = CompileRule("kill", "signal.number == SIGKILL");
  auto k = Event(EventType::kKill);
  k.SetInt(F("signal.number"), 9);
  EXPECT_TRUE(Fires(sig, k));
  k.SetInt(F("signal.number"), 15);
  EXPECT_FALSE(Fires(sig, k));
}

TEST(IntOps, InValuesRangesAndConstants) {
  auto c = CompileRule("connect", "net.dport in [22, 3389, 6000..6010]");
  auto r = Event(EventType::kConnect);
  for (int64_t port : {22, 3389, 6000, 6005, 6010}) {
    r.SetInt(F("net.dport"), port);
    EXPECT_TRUE(Fires(c, r)) << port;
  }
  for (int64_t port : {21, 5999, 6011}) {
    r.SetInt(F("net.dport"), port);
    EXPECT_FALSE(Fires(c, r)) << port;
  }
  EXPECT_FALSE(Fires(c, Event(EventType::kConnect)));
  auto n = CompileRule("kill", "signal.number not in [SIGTERM, SIGINT]");
  auto k = Event(EventType::kKill);
  k.SetInt(F("signal.number"), 9);
  EXPECT_TRUE(Fires(n, k));
  k.SetInt(F("signal.number"), 15);
  EXPECT_FALSE(Fires(n, k));
  EXPECT_TRUE(Fires(n, Event(EventType::kKill)));
}

TEST(UintOps, FullRangeAndMixedSignComparison) {
  auto c = CompileRule("exec", "proc.loginuid == 4294967295");
  auto r = Event(EventType::kExec);
  r.SetUint(F("proc.loginuid"), 4294967295u);
  EXPECT_TRUE(Fires(c, r));
  auto big = CompileRule("exec", "proc.entity > 9223372036854775807");
  r.SetUint(F("proc.entity"), 0xffffffffffffffffull);  // above INT64_MAX: no wrap to negative
  EXPECT_TRUE(Fires(big, r));
  // uint field against int field: compared as numbers, not as bit patterns.
  auto mixed = CompileRule("setuid", "proc.uid > setuid.uid");
  auto s = Event(EventType::kSetuid);
  s.SetUint(F("proc.uid"), 1000);
  s.SetInt(F("setuid.uid"), -1);
  EXPECT_TRUE(Fires(mixed, s));
  s.SetInt(F("setuid.uid"), 0);
  EXPECT_TRUE(Fires(mixed, s));
  s.SetInt(F("setuid.uid"), 1000);
  EXPECT_FALSE(Fires(mixed, s));
  s.Erase(F("setuid.uid"));
  EXPECT_FALSE(Fires(mixed, s));
}

TEST(UintOps, UidRangeIn) {
  auto c = CompileRule("exec", "proc.uid in [0, 1000..1999]");
  auto r = Event(EventType::kExec);
  r.SetUint(F("proc.uid"), 1500);
  EXPECT_TRUE(Fires(c, r));
  r.SetUint(F("proc.uid"), 2000);
  EXPECT_FALSE(Fires(c, r));
  r.SetUint(F("proc.uid"), 0);
  EXPECT_TRUE(Fires(c, r));
}

// ---- booleans -------------------------------------------------------------------------

TEST(BoolOps, BareEqualityAndNegation) {
  auto bare = CompileRule("open", "evt.failed");
  auto eq_false = CompileRule("open", "evt.failed == false");
  auto ne_true = CompileRule("open", "evt.failed != true");
  auto neg = CompileRule("open", "not evt.failed");
  auto failed = Event(EventType::kOpen);
  failed.SetBool(F("evt.failed"), true);
  auto ok = Event(EventType::kOpen);
  ok.SetBool(F("evt.failed"), false);
  auto absent = Event(EventType::kOpen);
  EXPECT_TRUE(Fires(bare, failed));
  EXPECT_FALSE(Fires(bare, ok));
  EXPECT_FALSE(Fires(bare, absent));
  EXPECT_TRUE(Fires(eq_false, ok));
  EXPECT_FALSE(Fires(eq_false, failed));
  EXPECT_FALSE(Fires(eq_false, absent));  // positive test on an absent field
  EXPECT_TRUE(Fires(ne_true, ok));
  EXPECT_TRUE(Fires(ne_true, absent));
  EXPECT_TRUE(Fires(neg, absent));
}

TEST(BoolOps, DerivedFromRetval) {
  auto c = CompileRule("open", "evt.failed");
  auto r = Event(EventType::kOpen);
  r.SetInt(F("evt.retval"), -2);
  EXPECT_TRUE(Fires(c, r));  // DeriveFields sets evt.failed
  r.SetInt(F("evt.retval"), 4);
  EXPECT_FALSE(Fires(c, r));
}

// ---- flags ----------------------------------------------------------------------------

match::EventRecord OpenWithFlags(uint64_t flags) {
  auto r = Event(EventType::kOpen);
  r.SetUint(F("open.flags"), flags);
  return r;
}

TEST(FlagsOps, ContainsOneFlag) {
  auto c = CompileRule("open", "open.flags contains O_CREAT");
  EXPECT_TRUE(Fires(c, OpenWithFlags(01 | 0100 | 01000)));
  EXPECT_FALSE(Fires(c, OpenWithFlags(01)));
  EXPECT_FALSE(Fires(c, Event(EventType::kOpen)));
}

TEST(FlagsOps, AccessModesAreAField) {
  auto rdonly = CompileRule("open", "open.flags contains O_RDONLY");
  EXPECT_TRUE(Fires(rdonly, OpenWithFlags(0)));
  EXPECT_TRUE(Fires(rdonly, OpenWithFlags(02000000)));  // O_CLOEXEC only: still read-only
  EXPECT_FALSE(Fires(rdonly, OpenWithFlags(01)));
  EXPECT_FALSE(Fires(rdonly, OpenWithFlags(02)));
  auto rdwr = CompileRule("open", "open.flags contains O_RDWR");
  EXPECT_TRUE(Fires(rdwr, OpenWithFlags(02 | 0100)));
  EXPECT_FALSE(Fires(rdwr, OpenWithFlags(01)));
}

TEST(FlagsOps, IntersectsAndWholeEquality) {
  auto any = CompileRule("open", "open.flags intersects [O_WRONLY, O_RDWR, O_TRUNC]");
  EXPECT_TRUE(Fires(any, OpenWithFlags(01)));
  EXPECT_TRUE(Fires(any, OpenWithFlags(02)));
  EXPECT_TRUE(Fires(any, OpenWithFlags(01000)));
  EXPECT_FALSE(Fires(any, OpenWithFlags(0100)));
  EXPECT_FALSE(Fires(any, Event(EventType::kOpen)));
  auto eq = CompileRule("open", "open.flags == 0o101");
  EXPECT_TRUE(Fires(eq, OpenWithFlags(0101)));
  EXPECT_FALSE(Fires(eq, OpenWithFlags(0101 | 02000000)));
  auto mode = CompileRule("chmod", "chmod.mode contains S_ISUID");
  auto r = Event(EventType::kChmod);
  r.SetUint(F("chmod.mode"), 04755);
  EXPECT_TRUE(Fires(mode, r));
  r.SetUint(F("chmod.mode"), 0755);
  EXPECT_FALSE(Fires(mode, r));
}

TEST(FlagsOps, DerivedOpenBooleans) {
  auto write = CompileRule("open", "open.write and not open.read");
  EXPECT_TRUE(Fires(write, OpenWithFlags(01)));
  EXPECT_FALSE(Fires(write, OpenWithFlags(02)));
  EXPECT_FALSE(Fires(write, OpenWithFlags(0)));
  auto create = CompileRule("open", "open.create");
  EXPECT_TRUE(Fires(create, OpenWithFlags(0100)));
  EXPECT_TRUE(Fires(create, OpenWithFlags(020200000)));  // O_TMPFILE
  EXPECT_FALSE(Fires(create, OpenWithFlags(01)));
}

// ---- addresses ------------------------------------------------------------------------

match::EventRecord ConnectTo(const char* addr) {
  auto r = Event(EventType::kConnect);
  r.SetAddress(F("net.daddr"), *ParseIpAddress(addr));
  return r;
}

TEST(AddressOps, EqualityAndCidrSets) {
  auto eq = CompileRule("connect", "net.daddr == \"169.254.169.254\"");
  EXPECT_TRUE(Fires(eq, ConnectTo("169.254.169.254")));
  EXPECT_FALSE(Fires(eq, ConnectTo("169.254.169.253")));
  EXPECT_FALSE(Fires(eq, Event(EventType::kConnect)));
  auto ne = CompileRule("connect", "net.daddr != \"10.0.0.1\"");
  EXPECT_TRUE(Fires(ne, Event(EventType::kConnect)));
  auto in = CompileRule("connect",
                        "net.daddr in [cidr(\"10.0.0.0/8\"), cidr(\"fd00::/8\"), \"192.0.2.7\"]");
  EXPECT_TRUE(Fires(in, ConnectTo("10.20.30.40")));
  EXPECT_TRUE(Fires(in, ConnectTo("fd12::1")));
  EXPECT_TRUE(Fires(in, ConnectTo("192.0.2.7")));
  EXPECT_FALSE(Fires(in, ConnectTo("11.0.0.1")));
  EXPECT_FALSE(Fires(in, ConnectTo("::ffff:0b00:0001")));
  EXPECT_FALSE(Fires(in, Event(EventType::kConnect)));
  auto out = CompileRule("connect", "net.daddr not in [cidr(\"127.0.0.0/8\"), \"::1\"]");
  EXPECT_TRUE(Fires(out, ConnectTo("8.8.8.8")));
  EXPECT_FALSE(Fires(out, ConnectTo("127.0.0.53")));
  EXPECT_FALSE(Fires(out, ConnectTo("::1")));
  EXPECT_TRUE(Fires(out, Event(EventType::kConnect)));
}

TEST(AddressOps, Ipv4MappedEqualsIpv4) {
  auto eq = CompileRule("connect", "net.daddr == \"10.1.2.3\"");
  EXPECT_TRUE(Fires(eq, ConnectTo("::ffff:10.1.2.3")));
}

// ---- lists ----------------------------------------------------------------------------

match::EventRecord ExecWithAncestors(std::initializer_list<const char*> names) {
  auto r = Event(EventType::kExec);
  r.ClearList(F("proc.ancestors.name"));
  for (const char* n : names) r.AppendToList(F("proc.ancestors.name"), n);
  return r;
}

TEST(ListOps, ContainsIntersectsLen) {
  auto contains = CompileRule("exec", "proc.ancestors.name contains \"nginx\"");
  EXPECT_TRUE(Fires(contains, ExecWithAncestors({"sh", "nginx", "systemd"})));
  EXPECT_FALSE(Fires(contains, ExecWithAncestors({"sh", "nginx-worker"})));
  EXPECT_FALSE(Fires(contains, ExecWithAncestors({})));
  EXPECT_FALSE(Fires(contains, Event(EventType::kExec)));
  auto inter = CompileRule("exec", "proc.ancestors.name intersects [httpd, nginx, php-fpm]");
  EXPECT_TRUE(Fires(inter, ExecWithAncestors({"bash", "php-fpm"})));
  EXPECT_FALSE(Fires(inter, ExecWithAncestors({"bash", "sshd"})));
  EXPECT_FALSE(Fires(inter, Event(EventType::kExec)));
  auto len = CompileRule("exec", "len(proc.args) >= 3");
  auto r = Event(EventType::kExec);
  r.ClearList(F("proc.args"));
  r.AppendToList(F("proc.args"), "sh");
  r.AppendToList(F("proc.args"), "-c");
  EXPECT_FALSE(Fires(len, r));
  r.AppendToList(F("proc.args"), "id");
  EXPECT_TRUE(Fires(len, r));
  EXPECT_FALSE(Fires(len, Event(EventType::kExec)));
}

TEST(ListOps, RecordReuseDoesNotLeakElements) {
  auto contains = CompileRule("exec", "proc.args contains \"-c\"");
  match::EventRecord r = Event(EventType::kExec);
  r.AppendToList(F("proc.args"), "sh");
  r.AppendToList(F("proc.args"), "-c");
  EXPECT_TRUE(Fires(contains, r));
  r.Clear();
  r.set_type(EventType::kExec);
  r.AppendToList(F("proc.args"), "ls");
  EXPECT_FALSE(Fires(contains, r));
}

// ---- exists, indexed ancestors, lineage -------------------------------------------------

TEST(ExistsOp, PresentAbsentAndIndexed) {
  auto c = CompileRule("exec", "exists container.id");
  auto r = Event(EventType::kExec);
  EXPECT_FALSE(Fires(c, r));
  r.SetString(F("container.id"), "");
  EXPECT_TRUE(Fires(c, r));  // present, even empty
  auto n = CompileRule("exec", "not exists proc.aname[3]");
  EXPECT_TRUE(Fires(n, ExecWithAncestors({"bash", "sshd"})));
  EXPECT_FALSE(Fires(n, ExecWithAncestors({"bash", "sshd", "systemd"})));
}

TEST(IndexedField, AncestorNames) {
  auto c = CompileRule("exec", "proc.aname[2] == \"sshd\"");
  EXPECT_TRUE(Fires(c, ExecWithAncestors({"bash", "sshd", "systemd"})));
  EXPECT_FALSE(Fires(c, ExecWithAncestors({"sshd", "bash"})));
  EXPECT_FALSE(Fires(c, ExecWithAncestors({"bash"})));
  auto parent = CompileRule("exec", "proc.aname[1] == \"bash\"");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.parent.name"), "bash");  // no ancestor list: [1] is the parent
  EXPECT_TRUE(Fires(parent, r));
  auto derived = CompileRule("exec", "proc.parent.name == \"bash\" and proc.depth == 2");
  EXPECT_TRUE(Fires(derived, ExecWithAncestors({"bash", "sshd"})));
}

// proc.env[NAME]: the value of the first NAME=value entry; presence through exists and through
// proc.env_names (derived from proc.env); a name that only starts like another is not it.
TEST(KeyedField, EnvironmentByName) {
  auto r = Event(EventType::kExec);
  r.ClearList(F("proc.env"));
  for (const char* e :
       {"LD_PRELOADX=no", "LD_PRELOAD=/tmp/x.so", "LD_PRELOAD=/second.so", "HISTFILE="})
    r.AppendToList(F("proc.env"), e);
  EXPECT_TRUE(Fires(CompileRule("exec", "proc.env[LD_PRELOAD] == \"/tmp/x.so\""), r));
  EXPECT_TRUE(Fires(CompileRule("exec", "proc.env[LD_PRELOAD] startswith \"/tmp/\""), r));
  EXPECT_TRUE(
      Fires(CompileRule("exec", "exists proc.env[HISTFILE] and proc.env[HISTFILE] == \"\""), r));
  EXPECT_FALSE(Fires(CompileRule("exec", "exists proc.env[LD_AUDIT]"), r));
  EXPECT_TRUE(Fires(CompileRule("exec", "proc.env[LD_AUDIT] != \"x\""), r));  // absent
  EXPECT_TRUE(Fires(CompileRule("exec", "proc.env_names contains \"LD_PRELOAD\""), r));
  EXPECT_FALSE(Fires(CompileRule("exec", "proc.env_names contains \"LD_AUDIT\""), r));
  EXPECT_TRUE(Fires(CompileRule("exec", "len(proc.env[LD_PRELOAD]) == 9"), r));
  EXPECT_FALSE(Fires(CompileRule("exec", "exists proc.env[LD_PRELOAD]"), Event(EventType::kExec)));
}

TEST(KeyedField, OnlyProcEnvTakesAName) {
  lang::Program p;
  p.sources.Add("t.vgl",
                "rule r {\n desc \"d\"\n severity low\n on exec\n when proc.args[LD] == \"x\"\n"
                " output \"x\"\n}\n");
  lang::Diagnostics d;
  lang::Analyze(p, d);
  bool found = false;
  for (const auto& x : d.all())
    if (x.level == lang::Level::kError && x.message.find("takes no name") != std::string::npos)
      found = true;
  EXPECT_TRUE(found);
}

// ---- boolean structure ----------------------------------------------------------------

TEST(Logic, AndOrNotParentheses) {
  auto c = CompileRule("open",
                       "(file.path startswith \"/etc/\" or file.path startswith \"/root/\") and "
                       "not (proc.name in [sshd, sudo] or evt.failed)");
  auto r = OpenOf("/root/.bashrc");
  r.SetString(F("proc.name"), "cat");
  r.SetInt(F("evt.retval"), 3);
  EXPECT_TRUE(Fires(c, r));
  r.SetString(F("proc.name"), "sudo");
  EXPECT_FALSE(Fires(c, r));
  r.SetString(F("proc.name"), "cat");
  r.SetInt(F("evt.retval"), -1);
  r.Erase(F("evt.failed"));
  EXPECT_FALSE(Fires(c, r));
}

TEST(Logic, MacroExpansion) {
  auto c = CompileRule("open", "sensitive and not trusted",
                       "macro sensitive = file.path in [\"/etc/shadow\"]\n"
                       "macro trusted = proc.name == \"sshd\"\n");
  auto r = OpenOf("/etc/shadow");
  r.SetString(F("proc.name"), "cat");
  EXPECT_TRUE(Fires(c, r));
  r.SetString(F("proc.name"), "sshd");
  EXPECT_FALSE(Fires(c, r));
}

}  // namespace
}  // namespace vigil::testing
