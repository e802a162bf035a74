@family:messages @side:redeemer
Feature: Skupper's words
  The messages, reasons and texts Skupper's redeemers give. Tools and people match on them, so an
  implementation SHOULD use them; one that words its status its own way is still conformant (docs/rules.md).

  @AT-MSG-001 @SHOULD
  Rule: AT-MSG-001 A token without a CA fails with "token does not have a CA"
    Source: spec §3.1 order 1, §3.2 order 1

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: The message for an empty ca
      Given a grant
      And an AccessToken "no-ca" for the grant
      And the token's ca is empty
      When the token is applied
      Then the token fails with the message "token does not have a CA"

  @AT-MSG-002 @SHOULD
  Rule: AT-MSG-002 A token whose url is not https fails with "token url scheme must be https"
    Source: spec §3.1 order 3, §3.2 order 3

    Scenario: The message for an http url
      Given a grant
      And an AccessToken "http" for the grant
      And the token's url uses plain http
      When the token is applied
      Then the token fails with the message "token url scheme must be https"

  @AT-MSG-003 @SHOULD
  Rule: AT-MSG-003 The CA is checked before the URL
    Source: spec §3.1 (precondition order), §7.2 (shared by both redeemers)

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: A token with neither a CA nor an https url
      Given a grant
      And an AccessToken "both-wrong" for the grant
      And the token's ca is empty
      And the token's url uses plain http
      When the token is applied
      Then the token fails with the message "token does not have a CA"

  @AT-MSG-004 @SHOULD
  Rule: AT-MSG-004 A URL that does not parse is reported as such
    Source: spec §3.1 order 2 ("could not parse token url: <parse error>")

    Scenario: The message for an unparseable url
      Given a grant
      And an AccessToken "unparseable" for the grant
      And the token's url is "https://127.0.0.1:notaport/x"
      When the token is applied
      Then the token fails with a message containing "could not parse token url"

  @AT-MSG-005 @SHOULD @feature:status
  Rule: AT-MSG-005 A redeemed token's Redeemed condition has reason Ready and message OK, and status.message is OK
    Source: spec §3.1 (SetRedeemed: reason Ready, message OK); code only, the docs name neither

    Scenario: Skupper's words for success
      Given a grant
      And an AccessToken "ok" for the grant
      When the token is applied
      Then the token's Redeemed condition is "True" with reason "Ready" and message "OK"
      And the token's status is "Ready" with message "OK"

  @AT-MSG-006 @SHOULD @feature:status
  Rule: AT-MSG-006 A failed token's Redeemed condition has reason Error
    Source: spec §3.1 (SetRedeemed: reason Error with the error's text); code only

    # a failure found before anything is sent: no request of this scenario can reach the next one's grant service
    Scenario: Skupper's words for a token it refuses to send
      Given a grant
      And an AccessToken "refused" for the grant
      And the token's url uses plain http
      When the token is applied
      Then the token's Redeemed condition is "False" with reason "Error" and a message containing "https"
