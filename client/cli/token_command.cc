// sello token create|list|revoke|whoami.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/ascii.h"
#include "client/cli/cli.h"

namespace sello::cli {

namespace {

const std::map<std::string, v1::Role>& RoleNames() {
  static const auto* names = new std::map<std::string, v1::Role>{{"admin", v1::ADMIN},
                                                                 {"certifier", v1::CERTIFIER},
                                                                 {"firm", v1::FIRM},
                                                                 {"regulator", v1::REGULATOR}};
  return *names;
}

std::string RoleName(v1::Role role) { return v1::Role_Name(role); }

void ShowToken(const v1::Token& token) {
  PrintFields({{"id", token.id()},
               {"organisation", token.organisation_id()},
               {"role", RoleName(token.role())},
               {"label", token.label()},
               {"created", ShowTime(token.create_time())},
               {"created by", token.created_by()},
               {"revoked", token.revoked() ? ShowTime(token.revoke_time()) : ""},
               {"revoked by", token.revoked_by()}});
}

struct TokenCreateOptions {
  std::string organisation;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string label;
};

int TokenCreate(client::Connection& connection, const Cli& cli, const TokenCreateOptions& options) {
  v1::CreateTokenRequest request;
  request.set_organisation_id(options.organisation);
  request.set_role(options.role);
  request.set_label(options.label);
  v1::CreateTokenResponse response;
  grpc::Status status =
      connection.tokens().CreateToken(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("token create", status);
  cli.printer().Print(response, [&] {
    // The secret alone on stdout (so `$(sello token create ...)` captures it); the
    // rest on stderr for the person at the terminal.
    std::cout << response.secret() << "\n";
    std::cerr << "token " << response.token().id() << " for " << response.token().organisation_id()
              << " (" << RoleName(response.token().role())
              << "): the secret above is shown only now; store it safely.\n";
  });
  return kExitOk;
}

void AddTokenCreate(CLI::App* token, Cli& cli) {
  auto options = std::make_shared<TokenCreateOptions>();
  CLI::App* create =
      token->add_subcommand("create", "issue a token; its secret is printed once, on stdout");
  create->add_option("--org", options->organisation, "organisation id")->required();
  create->add_option("--role", options->role, "admin, certifier, firm or regulator")
      ->required()
      ->transform(CLI::CheckedTransformer(RoleNames(), CLI::ignore_case));
  create->add_option("--label", options->label, "a note for people");
  OnRun(create, cli, options, TokenCreate);
}

struct TokenListOptions {
  std::string organisation;
};

int TokenList(client::Connection& connection, const Cli& cli, const TokenListOptions& options) {
  v1::ListTokensRequest request;
  request.set_organisation_id(options.organisation);
  v1::ListTokensResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.tokens().ListTokens(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("token list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "organisation", "role", "label", "created", "status"});
    for (const auto& t : all.tokens()) {
      table.AddRow({t.id(), t.organisation_id(), RoleName(t.role()), t.label(),
                    ShowTime(t.create_time()), t.revoked() ? "revoked" : "active"});
    }
    table.Print();
  });
  return kExitOk;
}

void AddTokenList(CLI::App* token, Cli& cli) {
  auto options = std::make_shared<TokenListOptions>();
  CLI::App* list = token->add_subcommand("list", "list tokens (never their secrets)");
  list->add_option("--org", options->organisation, "only this organisation's tokens");
  OnRun(list, cli, options, TokenList);
}

struct TokenRevokeOptions {
  std::string id;
};

int TokenRevoke(client::Connection& connection, const Cli& cli, const TokenRevokeOptions& options) {
  v1::RevokeTokenRequest request;
  request.set_token_id(options.id);
  v1::Token response;
  grpc::Status status =
      connection.tokens().RevokeToken(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("token revoke", status);
  cli.printer().Print(response, [&] { ShowToken(response); });
  return kExitOk;
}

void AddTokenRevoke(CLI::App* token, Cli& cli) {
  auto options = std::make_shared<TokenRevokeOptions>();
  CLI::App* revoke = token->add_subcommand("revoke", "revoke a token");
  revoke->add_option("id", options->id, "token id")->required();
  OnRun(revoke, cli, options, TokenRevoke);
}

int TokenWhoami(client::Connection& connection, const Cli& cli) {
  v1::WhoAmIResponse response;
  grpc::Status status =
      connection.tokens().WhoAmI(connection.NewContext().get(), v1::WhoAmIRequest(), &response);
  if (!status.ok()) return Fail("token whoami", status);
  cli.printer().Print(response, [&] {
    ShowToken(response.token());
    PrintFields({{"organisation name", response.organisation().name()}});
  });
  return kExitOk;
}

void AddTokenWhoami(CLI::App* token, Cli& cli) {
  CLI::App* whoami = token->add_subcommand("whoami", "show the token in use");
  OnRun(whoami, cli, TokenWhoami);
}

}  // namespace

void AddTokenCommands(CLI::App& app, Cli& cli) {
  CLI::App* token = app.add_subcommand("token", "bearer tokens (ADMIN)");
  token->require_subcommand(1);
  AddTokenCreate(token, cli);
  AddTokenList(token, cli);
  AddTokenRevoke(token, cli);
  AddTokenWhoami(token, cli);
}

}  // namespace sello::cli
