// sello token.
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

}  // namespace

void AddTokenCommands(CLI::App& app, Cli& cli) {
  CLI::App* token = app.add_subcommand("token", "bearer tokens (ADMIN)");
  token->require_subcommand(1);
  {
    struct Options {
      std::string organisation;
      v1::Role role = v1::ROLE_UNSPECIFIED;
      std::string label;
    };
    auto options = std::make_shared<Options>();
    CLI::App* create =
        token->add_subcommand("create", "issue a token; its secret is printed once, on stdout");
    create->add_option("--org", options->organisation, "organisation id")->required();
    create->add_option("--role", options->role, "admin, certifier, firm or regulator")
        ->required()
        ->transform(CLI::CheckedTransformer(RoleNames(), CLI::ignore_case));
    create->add_option("--label", options->label, "a note for people");
    OnRun(create, cli, [&cli, options](client::Connection& connection) {
      v1::CreateTokenRequest request;
      request.set_organisation_id(options->organisation);
      request.set_role(options->role);
      request.set_label(options->label);
      v1::CreateTokenResponse response;
      grpc::Status status =
          connection.tokens().CreateToken(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("token create", status);
      if (cli.format() == Format::kJson) {
        PrintJson(response);
      } else {
        // The secret alone on stdout (so `$(sello token create ...)` captures it); the
        // rest on stderr for the person at the terminal.
        std::cout << response.secret() << "\n";
        std::cerr << "token " << response.token().id() << " for "
                  << response.token().organisation_id() << " (" << RoleName(response.token().role())
                  << "): the secret above is shown only now; store it safely.\n";
      }
      return kExitOk;
    });
  }
  {
    auto organisation = std::make_shared<std::string>();
    CLI::App* list = token->add_subcommand("list", "list tokens (never their secrets)");
    list->add_option("--org", *organisation, "only this organisation's tokens");
    OnRun(list, cli, [&cli, organisation](client::Connection& connection) {
      v1::ListTokensRequest request;
      request.set_organisation_id(*organisation);
      v1::ListTokensResponse all;
      grpc::Status status = FetchAllPages(
          connection, request,
          [&](grpc::ClientContext* context, const auto& r, auto* page) {
            return connection.tokens().ListTokens(context, r, page);
          },
          &all);
      if (!status.ok()) return Fail("token list", status);
      if (cli.format() == Format::kJson) {
        PrintJson(all);
        return kExitOk;
      }
      Table table({"id", "organisation", "role", "label", "created", "status"});
      for (const auto& t : all.tokens()) {
        table.AddRow({t.id(), t.organisation_id(), RoleName(t.role()), t.label(),
                      ShowTime(t.create_time()), t.revoked() ? "revoked" : "active"});
      }
      table.Print();
      return kExitOk;
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* revoke = token->add_subcommand("revoke", "revoke a token");
    revoke->add_option("id", *id, "token id")->required();
    OnRun(revoke, cli, [&cli, id](client::Connection& connection) {
      v1::RevokeTokenRequest request;
      request.set_token_id(*id);
      v1::Token response;
      grpc::Status status =
          connection.tokens().RevokeToken(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("token revoke", status);
      if (cli.format() == Format::kJson) {
        PrintJson(response);
      } else {
        ShowToken(response);
      }
      return kExitOk;
    });
  }
  {
    CLI::App* whoami = token->add_subcommand("whoami", "show the token in use");
    OnRun(whoami, cli, [&cli](client::Connection& connection) {
      v1::WhoAmIResponse response;
      grpc::Status status =
          connection.tokens().WhoAmI(connection.NewContext().get(), v1::WhoAmIRequest(), &response);
      if (!status.ok()) return Fail("token whoami", status);
      if (cli.format() == Format::kJson) {
        PrintJson(response);
      } else {
        ShowToken(response.token());
        PrintFields({{"organisation name", response.organisation().name()}});
      }
      return kExitOk;
    });
  }
}

}  // namespace sello::cli
