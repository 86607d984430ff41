#include "switchboard/metrics/registry.hpp"

#include <stdexcept>
#include <variant>

namespace switchboard::metrics {

void Gauge::add(double delta) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

struct Registry::Entry {
  std::string name;
  std::string help;
  Labels labels;
  std::variant<Counter, Gauge, std::function<double()>> value;
  Type type() const { return value.index() == 0 ? Type::Counter : Type::Gauge; }
};

namespace {

void check(const std::string& name, const Labels& labels) {
  if (!valid_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (const auto& [label, value] : labels) {
    if (!valid_label_name(label)) throw std::invalid_argument("invalid label name: " + label);
  }
}

}  // namespace

Registry::Entry& Registry::add(const std::string& name, const std::string& help, Labels labels) {
  auto& e = *entries_.emplace_back(std::make_unique<Entry>());
  e.name = name;
  e.help = help;
  e.labels = std::move(labels);
  return e;
}

Registry::Registry(RegistryOptions options) : options_(options) {}

Registry::~Registry() = default;

Counter& Registry::counter(const std::string& name, const std::string& help, Labels labels) {
  check(name, labels);
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    auto& e = *entry;
    if (e.name != name) continue;
    if (e.type() != Type::Counter) throw std::invalid_argument(name + " is not a counter");
    if (e.labels == labels) return std::get<Counter>(e.value);
  }
  auto& e = add(name, help, std::move(labels));
  return std::get<Counter>(e.value);
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, Labels labels) {
  check(name, labels);
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    auto& e = *entry;
    if (e.name != name) continue;
    if (e.type() != Type::Gauge) throw std::invalid_argument(name + " is not a gauge");
    if (e.labels == labels && e.value.index() == 1) return std::get<Gauge>(e.value);
  }
  auto& e = add(name, help, std::move(labels));
  e.value.emplace<Gauge>();
  return std::get<Gauge>(e.value);
}

void Registry::gauge(const std::string& name, const std::string& help, Labels labels,
                     std::function<double()> read) {
  check(name, labels);
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    auto& e = *entry;
    if (e.name == name && e.type() != Type::Gauge) {
      throw std::invalid_argument(name + " is not a gauge");
    }
  }
  auto& e = add(name, help, std::move(labels));
  e.value.emplace<2>(std::move(read));
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::vector<Family> Registry::collect_now() const {
  std::vector<Family> families;
  if (options_.builtin) families = builtin_families();
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries_) {
    const auto& e = *entry;
    double value = 0;
    if (const auto* c = std::get_if<Counter>(&e.value)) {
      value = static_cast<double>(c->value());
    } else if (const auto* g = std::get_if<Gauge>(&e.value)) {
      value = g->value();
    } else {
      value = std::get<std::function<double()>>(e.value)();
    }
    families.push_back({e.name, e.help, e.type(), {{e.name, e.labels, value}}});
  }
  return families;
}

void Registry::scrape(std::function<void(std::string text)> done) const {
  struct Gathering {
    std::mutex mutex;
    std::vector<Family> families;
    std::size_t waiting = 0;
    std::function<void(std::string)> done;
  };
  auto gathering = std::make_shared<Gathering>();
  gathering->families = collect_now();
  gathering->done = std::move(done);
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  // One more than the collectors: the last answer (or this call, when they all answered at
  // once) formats the text.
  gathering->waiting = collectors.size() + 1;
  auto arrive = [gathering](std::vector<Family> families) {
    std::function<void(std::string)> finish;
    {
      std::lock_guard lock(gathering->mutex);
      for (auto& f : families) gathering->families.push_back(std::move(f));
      if (--gathering->waiting != 0) return;
      finish = std::move(gathering->done);
    }
    finish(format_text(gathering->families));
  };
  for (auto& collector : collectors) collector(arrive);
  arrive({});
}

}  // namespace switchboard::metrics
