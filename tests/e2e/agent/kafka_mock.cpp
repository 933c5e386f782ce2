// A librdkafka mock cluster (rdkafka_mock.h) for the agent's e2e test: one broker on loopback,
// topic `alerts` with one partition. Prints the bootstrap servers on its first line, then reads
// commands from stdin: "down" and "up" stop and start the broker, end of input quits.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <iostream>
#include <string>

int main() {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, 1);
  rd_kafka_mock_topic_create(cluster, "alerts", 1, 1);
  std::cout << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "down") rd_kafka_mock_broker_set_down(cluster, 1);
    if (line == "up") rd_kafka_mock_broker_set_up(cluster, 1);
    std::cout << "ok " << line << std::endl;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
