// Helper for the proc_info pressure test, built as an executable named `vigil-e2e-x` so that its
// comm matches the test's scope. Usage: vigil-e2e-x CHILDREN DIR
// Forks CHILDREN processes that rename themselves (so only `follow` keeps them in scope), wait
// until all exist, then each opens DIR/<index> (which does not exist) and exits.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const int children = std::atoi(argv[1]);
  const std::string dir = argv[2];
  std::vector<std::string> paths;
  for (int i = 0; i < children; ++i) paths.push_back(dir + "/" + std::to_string(i));
  int gate[2];
  if (pipe(gate) != 0) return 3;
  std::vector<pid_t> pids;
  for (int i = 0; i < children; ++i) {
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      close(gate[1]);
      prctl(PR_SET_NAME, "storm-child");
      char c;
      while (read(gate[0], &c, 1) > 0) {
      }
      open(paths[i].c_str(), O_RDONLY);
      _exit(0);
    }
    pids.push_back(pid);
  }
  close(gate[1]);  // releases every child at once
  int failed = 0;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  std::printf("%zu\n", pids.size());
  return static_cast<int>(pids.size()) == children && failed == 0 ? 0 : 1;
}
