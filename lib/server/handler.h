// Handler: one Kafka API, from request bytes to response bytes.
//
// The server reads a frame and its header, finds the API's handler in the
// registry (handler_registry.h) and calls Handle on the connection's strand,
// in request order. Handle decodes the body, does the work (usually a call
// into the Broker or its group coordinator) and answers through the
// Responder — at once, or later from the broker's callback (a long-poll
// fetch, an acks=all produce, a JoinGroup waiting for members). The
// connection sends answers in request order whatever order they come in.
//
// Most handlers derive from TypedHandler<Request, Response>, which does the
// decoding, the response header and the encoding, and answers a request
// given an injected error (KafkaServer::InjectErrors) with the handler's
// ErrorResponse instead of calling Handle:
//
//   class HeartbeatHandler final
//       : public TypedHandler<HeartbeatRequest, HeartbeatResponse> {
//    public:
//     HeartbeatHandler() : TypedHandler(V("0-3")) {}
//     void Handle(const RequestContext& context, HeartbeatRequest& request,
//                 Reply<HeartbeatResponse> reply) override;
//     std::optional<HeartbeatResponse> ErrorResponse(
//         const RequestContext& context, const HeartbeatRequest& request,
//         int16_t error_code) const override;
//   };
#ifndef RILL_SERVER_HANDLER_H_
#define RILL_SERVER_HANDLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "protocol/api_key.h"
#include "protocol/codec.h"
#include "protocol/header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "server/request_context.h"

namespace rill::server {

// Responder answers one request exactly once: Send a framed response, or
// Skip for a request Kafka does not answer (acks=0 produce). Move-only;
// callable from any thread. A Responder destroyed unanswered closes the
// connection, since the client would otherwise wait forever.
class Responder {
 public:
  // Outcome is how a request ended.
  enum class Outcome {
    kAnswered,   // a response frame to send
    kNoAnswer,   // nothing to send (acks=0), the request is done
    kAbandoned,  // the handler dropped it: close the connection
  };
  // Sink receives the outcome and, when answered, the framed response.
  using Sink =
      absl::AnyInvocable<void(Outcome, std::unique_ptr<protocol::WireWriter>)>;

  explicit Responder(Sink sink) : sink_(std::move(sink)) {}
  Responder(Responder&&) = default;
  Responder& operator=(Responder&&) = default;
  ~Responder();

  // Send takes a writer holding a whole frame (size prefix patched).
  void Send(std::unique_ptr<protocol::WireWriter> frame);
  void Skip();

 private:
  Sink sink_;
};

// StartFrame starts a response frame: room for the size and the
// response header. FinishFrame patches the size.
std::unique_ptr<protocol::WireWriter> StartFrame(int32_t correlation_id,
                                                 bool flexible_header);
void FinishFrame(protocol::WireWriter& frame);

// Handler serves one API key. Thread-safe: Handle may run on any network
// thread (requests of one connection never concurrently).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual protocol::ApiKey api_key() const = 0;
  // advertised are the versions ApiVersions reports and Handle accepts.
  virtual protocol::Versions advertised() const = 0;
  // IsFlexible says whether `version` uses request header v2 / response
  // header v1.
  virtual bool IsFlexible(int16_t version) const = 0;
  // Handle answers the request whose body is `body` (valid only during
  // the call). An error means the body was malformed: the connection is
  // closed, as Kafka does, and `responder` is dropped.
  virtual absl::Status Handle(const RequestContext& context,
                              protocol::WireReader body,
                              Responder responder) = 0;
};

// Reply<Response> answers with a Response, encoded at the request's
// version. Move-only, callable once, from any thread.
template <protocol::Message Response>
class Reply {
 public:
  Reply(const RequestContext& context, Responder responder)
      : correlation_id_(context.header.correlation_id),
        version_(context.header.api_version),
        responder_(std::move(responder)) {}

  void operator()(const Response& response) && {
    // ApiVersions' response header is v0 in every version, so a client
    // can read it before it knows which versions the broker speaks.
    const bool flexible_header =
        Response::kFlexibleVersions.Contains(version_) &&
        Response::kApiKey != protocol::ApiKey::kApiVersions;
    auto frame = StartFrame(correlation_id_, flexible_header);
    protocol::Encode(response, version_, *frame);
    FinishFrame(*frame);
    responder_.Send(std::move(frame));
  }
  // Skip answers nothing (acks=0).
  void Skip() && { responder_.Skip(); }
  int16_t version() const { return version_; }

 private:
  int32_t correlation_id_;
  int16_t version_;
  Responder responder_;
};

// TypedHandler decodes Request and hands the derived class a Reply.
template <protocol::Message Request, protocol::Message Response>
class TypedHandler : public Handler {
 public:
  explicit TypedHandler(protocol::Versions advertised)
      : advertised_(advertised.Intersect(Request::kVersions)) {}

  protocol::ApiKey api_key() const final { return Request::kApiKey; }
  protocol::Versions advertised() const final { return advertised_; }
  bool IsFlexible(int16_t version) const final {
    return Request::kFlexibleVersions.Contains(version);
  }

  absl::Status Handle(const RequestContext& context, protocol::WireReader body,
                      Responder responder) final {
    Request request;
    absl::Status decoded =
        protocol::Decode(body, context.header.api_version, &request);
    if (!decoded.ok()) {
      responder.Skip();
      return decoded;
    }
    Reply<Response> reply(context, std::move(responder));
    if (context.injected_error == 0) {
      Handle(context, request, std::move(reply));
      return absl::OkStatus();
    }
    std::optional<Response> response =
        ErrorResponse(context, request, context.injected_error);
    // No response: `reply` is dropped unanswered, closing the connection.
    if (response.has_value()) std::move(reply)(*response);
    return absl::OkStatus();
  }

  // Handle serves a decoded request. `request` lives only for the call
  // (Records views point into the frame); copy what a callback needs.
  virtual void Handle(const RequestContext& context, Request& request,
                      Reply<Response> reply) = 0;

  // ErrorResponse is the answer to `request` when serving it failed as a
  // whole with `error_code`, as Kafka's brokers build one: `error_code` in
  // the top-level error field where the API has one and in every entry
  // (topic, partition, group, resource) the request named, the other
  // fields empty or -1. It must not act on the broker. Null means the
  // request gets no answer and its connection is closed (an acks=0
  // produce, as Kafka does when one fails).
  virtual std::optional<Response> ErrorResponse(const RequestContext& context,
                                                const Request& request,
                                                int16_t error_code) const = 0;

 private:
  const protocol::Versions advertised_;
};

}  // namespace rill::server

#endif  // RILL_SERVER_HANDLER_H_
