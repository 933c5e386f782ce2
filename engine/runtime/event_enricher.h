// Turns a decoded kernel event into the record the matchers read: keeps the process tree
// current from lifecycle events, then fills the event's own fields, the process's identity and
// image, its lineage and its container and pod from the tree. The same record feeds the rules
// (`vigil run`) and the enriched JSON (`vigil record`).
#pragma once

#include <time.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/clock.h"
#include "kernel/event.h"
#include "match/event_record.h"
#include "proctree/host_identity.h"
#include "proctree/process_tree.h"
#include "proctree/upper_layer.h"
#include "proctree/user_names.h"
#include "runtime/field_use.h"
#include "runtime/stdio_kind.h"

namespace vigil::runtime {

struct EnrichStats {
  uint64_t events = 0;
  uint64_t unknown_process = 0;  // the tree had no process for the event's pid or entity
  uint64_t unknown_type = 0;     // an event type the registry does not know (skipped)
};

// Where host.* and user.* come from (tests point them at fake files).
struct EnricherOptions {
  proctree::HostIdentityOptions host;
  proctree::UserNamesOptions users;
  std::string proc_root = "/proc";                // container mounts, for proc.is_exe_upper_layer
  std::string tty_drivers = "/proc/tty/drivers";  // terminal devices, for proc.stdin.type
  // The environment variables exec events may report (the kernel selects them by a hash of
  // the name: only these exact names are kept).
  std::vector<std::string> env_names;
};

class EventEnricher {
 public:
  EventEnricher(proctree::ProcessTree& tree, kernel::ClockSource clock,
                EnricherOptions options = {});

  // Updates the tree from a lifecycle event (fork, exec, exit); other events leave it alone.
  // Call it once per event, when the event arrives.
  void Observe(const kernel::Event& event);
  // Fills `out` from the event and the tree as it is now. Returns false when the event is of a
  // type rules cannot see; `out.incomplete()` says whether the process context was partial.
  bool Fill(const kernel::Event& event, match::EventRecord& out);
  // evt.time of a kernel timestamp (CLOCK_BOOTTIME ns): what Fill sets.
  uint64_t WallTimeNs(uint64_t boottime_ns) const {
    return static_cast<uint64_t>(static_cast<int64_t>(boottime_ns) + wall_offset_ns_);
  }
  // Observe, then Fill.
  bool Enrich(const kernel::Event& event, match::EventRecord& out) {
    Observe(event);
    return Fill(event, out);
  }

  // The fields whose enrichment costs more than a copy (a /proc read, a string built per
  // event) are filled by Fill only when `fields` holds one of them; the rest by FillSkipped.
  // Until it is called, every field is filled (trace, record).
  enum class Costly : uint8_t { kStdStreams, kNewExe, kUpperLayer, kParentCmdline, kCount };
  void SetFieldsRead(const FieldSet& fields);
  bool Fills(Costly c) const { return fills_[static_cast<size_t>(c)]; }
  // Fills the costly fields Fill skipped for the same event (an alert shows the whole event).
  void FillSkipped(const kernel::Event& event, match::EventRecord& out);

  // Re-reads the offset between the event clock and the wall clock (call it now and then: the
  // wall clock may be stepped).
  void SyncWallClock();
  const EnrichStats& stats() const { return stats_; }

 private:
  void FillProcess(const kernel::Event& e, match::EventRecord& out);
  void FillUser(const kernel::Event& e, const proctree::Process& p, match::EventRecord& out);
  // The event type's own fields: FillLifecycle, then the file, network and process-control
  // families (a free function each where the tree is not needed).
  void FillEventFields(const kernel::Event& e, match::EventRecord& out);
  void FillLifecycle(const kernel::Event& e, match::EventRecord& out);
  void FillProcessControl(const kernel::Event& e, match::EventRecord& out);
  // The costly fields: those Fills() (Fill) or those it skips (`skipped`: FillSkipped).
  void FillCostly(const kernel::Event& e, match::EventRecord& out, bool skipped);
  void FillStdStreams(const kernel::Event& e, match::EventRecord& out);
  void FillNewExe(const kernel::Event& e, match::EventRecord& out);
  void FillUpperLayer(const kernel::Event& e, match::EventRecord& out);
  void FillParentCmdline(const kernel::Event& e, match::EventRecord& out);

  proctree::ProcessTree& tree_;
  kernel::ClockSource clock_;
  int64_t wall_offset_ns_ = 0;
  timespec started_{};  // executables modified after this are "new" (proc.is_new_exe)
  proctree::HostIdentity host_;
  proctree::UserNames users_;
  proctree::UpperLayers layers_;
  std::string proc_root_;
  StdioKinds stdio_;
  std::array<bool, static_cast<size_t>(Costly::kCount)> fills_{true, true, true, true};
  std::vector<std::string> env_names_;
  // Reused from event to event, so that their storage is kept: an exec's selected variables
  // (names checked; the first ones of the list are this exec's), the /proc/PID/exe link when
  // the kernel could not name the executable, a lineage and a string being built.
  std::vector<std::string> env_scratch_;
  std::string exe_link_;
  proctree::ProcessTree::Lineage lineage_;
  // Within Fill, the process FillProcess found (null when unknown): lineage_ is its lineage.
  const proctree::Process* process_ = nullptr;
  std::string text_;
  EnrichStats stats_;
};

}  // namespace vigil::runtime
