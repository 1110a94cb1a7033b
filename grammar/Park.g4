// The policy language (`.park` files): ../shared/design/LANGUAGE.md as an ANTLR4 grammar.
//
// Generated into the build tree at build time (grammar/CMakeLists.txt); never committed. The
// only code that runs the generated parser is compiler/parse/internal/AntlrAdapter.cpp, which
// also owns error recovery: it replaces ANTLR's messages with events that
// compiler/parse/internal/SyntaxErrors.cpp words in the language's terms (see
// compiler/parse/README.md). The parser rules below are the language: every construct, every
// value form. What the grammar leaves to the AST builder (compiler/parse/Builder.cpp) is what a
// context-free grammar cannot say well:
//   - a setting written twice in one block (CP106; items may come in any order);
//   - the contents of tokens: escapes in strings (CP112), the order and range of duration units
//     (CP108), numbers too large for 64 bits (CP110), unterminated strings (CP111);
//   - whether a name, a tag or a keyword value (`type`, `allocation`) names something: that is
//     the model's (compiler/model) and the rules' (rules/) job.
// Items inside a block need no separator; newlines are not significant (error recovery treats
// a new line as a likely start of the next item).
grammar Park;

// ---- a policy file -----------------------------------------------------------------------
file        : declaration* EOF ;

// `@allow(CP404, "reason")` annotations precede the declaration they apply to.
declaration : annotation* declBody ;
declBody    : siteDecl
            | orbitDecl
            | parkAccessDecl
            | parkSettingsDecl
            | voicePolicyDecl
            | dialPlanDecl
            | userDecl
            | usersFromDecl
            | testDecl
            ;

// The code is `CP404` (an IDENT) or a rule name such as `orbit-range-overlap` (a WORD).
annotation  : AT K_ALLOW LPAREN annotationCode COMMA STRING RPAREN ;
annotationCode : IDENT | WORD ;

// ---- topology: sites and their pools -------------------------------------------------------
// site "Redmond" { pool "redmond-fe01.contoso.com" }
siteDecl    : K_SITE STRING LBRACE siteItem* RBRACE ;
siteItem    : K_POOL STRING ;

// ---- orbit ranges and park access numbers --------------------------------------------------
// orbit "Redmond CPO 1" { numbers *3000..*3099  pool "..."  type group_pickup  allocation next }
orbitDecl   : K_ORBIT STRING LBRACE orbitItem* RBRACE ;
orbitItem   : K_NUMBERS dialRange
            | K_POOL STRING
            | K_TYPE keywordValue     // callpark | group_pickup (checked by the model, CP206)
            | K_ALLOCATION keywordValue  // least_recent | random | next | first
            ;
dialRange   : dial DOTDOT dial ;
dial        : DIAL | INT ;            // `*3000`, `#4100`, `7000`

// park_access "*70" { pool "redmond-fe01.contoso.com" }   (the number may be unquoted)
parkAccessDecl : K_PARK_ACCESS dialString LBRACE parkAccessItem* RBRACE ;
dialString     : STRING | dial ;
parkAccessItem : K_POOL STRING ;

// ---- park settings: global, site or pool scope --------------------------------------------
parkSettingsDecl : K_PARK_SETTINGS scope LBRACE parkSetting* RBRACE ;
parkSetting : K_PICKUP_TIMEOUT duration
            | K_MAX_PICKUP_ATTEMPTS INT
            | K_MUSIC_ON_HOLD boolean
            | K_ON_TIMEOUT STRING
            | K_MUSIC_FILE STRING
            ;

// `global`, `site "Dublin"`, `pool "dublin-fe01.contoso.com"`, or a per-user tag `"Reception"`.
// Which scopes a declaration kind allows is checked by the model (CP207).
scope       : K_GLOBAL
            | K_SITE STRING
            | K_POOL STRING
            | STRING
            ;

// ---- voice policies: global, site or tag scope --------------------------------------------
voicePolicyDecl : K_VOICE_POLICY scope LBRACE voicePolicyItem* RBRACE ;
voicePolicyItem : K_CALL_PARK boolean ;

// ---- dial plans: global, site, pool or tag scope, with normalization rules ------------------
dialPlanDecl : K_DIALPLAN scope LBRACE dialPlanItem* RBRACE ;
dialPlanItem : K_EXTERNAL_ACCESS_PREFIX dialString
             | K_OPTIMIZE_DEVICE_DIALING boolean
             | K_DESCRIPTION text
             | annotation* ruleDecl
             ;
// rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1'  internal_extension }
ruleDecl    : K_RULE STRING (K_PRIORITY INT)? LBRACE ruleItem* RBRACE ;
ruleItem    : K_PATTERN text
            | K_TRANSLATION text
            | K_PRIORITY INT
            | K_INTERNAL_EXTENSION
            | K_DESCRIPTION text
            ;

// ---- users: inline, or from a Get-CsUser export --------------------------------------------
userDecl    : K_USER STRING LBRACE userItem* RBRACE ;
userItem    : K_POOL STRING
            | K_LINE STRING
            | K_VOICE_POLICY STRING
            | K_DIALPLAN STRING
            ;
usersFromDecl : K_USERS K_FROM STRING ;

// ---- tests the policy carries ----------------------------------------------------------------
//   dial "*3001" as "sip:alice@contoso.com"   => orbit "Redmond CPO 1"
//   dial "7001"  with dialplan site "Dublin"  => orbit "Dublin CPO 1"
//   dial "1234"  with dialplan site "Dublin"  => "+353155501234" internal
//   dial "*70"   as "sip:alice@contoso.com"   => park pool "redmond-fe01.contoso.com"
//   dial "5555"  as "sip:alice@contoso.com"   => not_ours
//   park as "sip:alice@contoso.com"           => allowed
testDecl    : K_TEST STRING LBRACE expectation* RBRACE ;
expectation : K_DIAL dialString caller ARROW dialResult
            | K_PARK caller ARROW parkResult
            ;
caller      : K_AS STRING
            | K_WITH K_DIALPLAN scope
            ;
dialResult  : K_ORBIT STRING
            | STRING K_INTERNAL?
            | K_PARK K_POOL STRING
            | K_NOT_OURS
            ;
parkResult  : K_ALLOWED | K_DENIED ;

// ---- values ----------------------------------------------------------------------------------
text        : STRING | RAW_STRING ;   // raw single-quoted strings: patterns as pasted
boolean        : K_ON | K_OFF | K_TRUE | K_FALSE ;
duration    : DURATION ;              // `90s`, `1m30s`, `10m`, `1h`, `00:01:30`
// A word-valued setting; a misspelling such as `group-pickup` is a WORD, so the model can
// suggest the right keyword instead of a syntax error.
keywordValue : IDENT | WORD ;

// ---- lexer -----------------------------------------------------------------------------------
// Keywords (before IDENT, which would match them too).
K_ALLOCATION              : 'allocation' ;
K_ALLOW                   : 'allow' ;
K_ALLOWED                 : 'allowed' ;
K_AS                      : 'as' ;
K_CALL_PARK               : 'call_park' ;
K_DENIED                  : 'denied' ;
K_DESCRIPTION             : 'description' ;
K_DIAL                    : 'dial' ;
K_DIALPLAN                : 'dialplan' ;
K_EXTERNAL_ACCESS_PREFIX  : 'external_access_prefix' ;
K_FALSE                   : 'false' ;
K_FROM                    : 'from' ;
K_GLOBAL                  : 'global' ;
K_INTERNAL                : 'internal' ;
K_INTERNAL_EXTENSION      : 'internal_extension' ;
K_LINE                    : 'line' ;
K_MAX_PICKUP_ATTEMPTS     : 'max_pickup_attempts' ;
K_MUSIC_FILE              : 'music_file' ;
K_MUSIC_ON_HOLD           : 'music_on_hold' ;
K_NOT_OURS                : 'not_ours' ;
K_NUMBERS                 : 'numbers' ;
K_OFF                     : 'off' ;
K_ON                      : 'on' ;
K_ON_TIMEOUT              : 'on_timeout' ;
K_OPTIMIZE_DEVICE_DIALING : 'optimize_device_dialing' ;
K_ORBIT                   : 'orbit' ;
K_PARK                    : 'park' ;
K_PARK_ACCESS             : 'park_access' ;
K_PARK_SETTINGS           : 'park_settings' ;
K_PATTERN                 : 'pattern' ;
K_PICKUP_TIMEOUT          : 'pickup_timeout' ;
K_POOL                    : 'pool' ;
K_PRIORITY                : 'priority' ;
K_RULE                    : 'rule' ;
K_SITE                    : 'site' ;
K_TEST                    : 'test' ;
K_TRANSLATION             : 'translation' ;
K_TRUE                    : 'true' ;
K_TYPE                    : 'type' ;
K_USER                    : 'user' ;
K_USERS                   : 'users' ;
K_VOICE_POLICY            : 'voice_policy' ;
K_WITH                    : 'with' ;

LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA  : ',' ;
AT     : '@' ;
ARROW  : '=>' ;
DOTDOT : '..' ;

// `90s`, `1m30s`, `10m`, `1h`, Lync's `00:01:30`. Order and range of the parts are checked by
// the builder; `90x` or `1m30` fall through to WORD and are reported as not a duration.
DURATION : ( [0-9]+ [hms] )+
         | [0-9]+ ':' [0-9]+ ( ':' [0-9]+ )?
         ;
INT      : '-'? [0-9]+ ;          // `7000` is an INT and a dial string
DIAL     : [0-9*#+]+ ;            // `*3000`, `#6000`, `+14255550100` (`#` is never a comment)
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;
// Anything word-like that is none of the above (`90x`, `7000-7099`, an unquoted
// `redmond-fe01.contoso.com` or `sip:alice@contoso.com`): one token, so the error can say what
// was expected instead of listing a cascade of stray characters. A single `.` or `@` joins
// word characters; `..` never does (`*3000..*3099` stays three tokens) and `@allow` stays `@`.
WORD     : WORD_CHAR+ ( [.@] WORD_CHAR+ )* ;
fragment WORD_CHAR : [a-zA-Z0-9_*#+:\-] ;

// Double-quoted: `\"` and `\\` are the only escapes (others are reported by the builder).
// A string not closed on its line is still a STRING to the parser, so the parse goes on as if
// it ended there; the adapter reports it (CP111).
STRING              : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '\\'? -> type(STRING) ;
// Single-quoted raw strings: no escapes at all, for patterns pasted from PowerShell.
RAW_STRING              : '\'' ~['\r\n]* '\'' ;
UNTERMINATED_RAW_STRING : '\'' ~['\r\n]* -> type(RAW_STRING) ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// Never longer than BLOCK_COMMENT when the comment is closed, so it only wins at end of file.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* -> channel(2) ;

WS    : [ \t\r\n\f\uFEFF]+ -> skip ;
STRAY : . -> channel(2) ;     // reported by the adapter as a stray character (CP114)
