#include "server/handler.h"

namespace rill::server {

Responder::~Responder() {
  if (sink_) sink_(Outcome::kAbandoned, nullptr);
}

void Responder::Send(std::unique_ptr<protocol::WireWriter> frame) {
  if (!sink_) return;
  Sink sink = std::move(sink_);
  sink_ = nullptr;
  sink(Outcome::kAnswered, std::move(frame));
}

void Responder::Skip() {
  if (!sink_) return;
  Sink sink = std::move(sink_);
  sink_ = nullptr;
  sink(Outcome::kNoAnswer, nullptr);
}

std::unique_ptr<protocol::WireWriter> StartFrame(int32_t correlation_id,
                                                 bool flexible_header) {
  auto frame = std::make_unique<protocol::WireWriter>();
  frame->Fixed<int32_t>(0);  // size, patched by FinishFrame
  protocol::WriteResponseHeader(correlation_id, flexible_header, *frame);
  return frame;
}

void FinishFrame(protocol::WireWriter& frame) {
  frame.PatchFixed<int32_t>(0, static_cast<int32_t>(frame.size() - 4));
}

}  // namespace rill::server
