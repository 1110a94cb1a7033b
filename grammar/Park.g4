// The lexical grammar of the policy language and its brace structure.
//
// Generated into the build tree at build time (grammar/CMakeLists.txt); never committed.
//
// Division of labour (see compiler/parse/README.md): this grammar tokenizes a .park file and
// groups it into nested `{ ... }` blocks. It is deliberately permissive: the parser rules
// accept every token sequence, so ANTLR never reports a syntax error of its own and never
// guesses a recovery. The language itself (which keyword takes which values, in which block)
// is checked by the hand-written AST builder (compiler/parse/Builder.cpp), which knows the
// language and reports every mistake in its words. The syntax it enforces is:
//
//   file          : (annotation* declaration)* ;
//   annotation    : '@' 'allow' '(' CODE ',' STRING ')' ;
//   declaration   : 'site' STRING '{' ('pool' STRING)* '}'
//                 | 'orbit' STRING '{' orbitItem* '}'
//                 | 'park_access' (STRING | DIAL) '{' ('pool' STRING)? '}'
//                 | 'park_settings' scope '{' parkSetting* '}'
//                 | 'voice_policy' scope '{' ('call_park' BOOL)? '}'
//                 | 'dialplan' scope '{' (dialplanItem | annotation* rule)* '}'
//                 | 'user' STRING '{' userItem* '}'
//                 | 'users' 'from' STRING
//                 | 'test' STRING '{' expectation* '}' ;
//   scope         : 'global' | 'site' STRING | 'pool' STRING | STRING ;       // STRING = tag
//   orbitItem     : 'numbers' dial '..' dial | 'pool' STRING
//                 | 'type' IDENT | 'allocation' IDENT ;
//   parkSetting   : 'pickup_timeout' DURATION | 'max_pickup_attempts' INT
//                 | 'music_on_hold' BOOL | 'on_timeout' STRING | 'music_file' STRING ;
//   dialplanItem  : 'external_access_prefix' (STRING | dial)
//                 | 'optimize_device_dialing' BOOL | 'description' text ;
//   rule          : 'rule' STRING ('priority' INT)? '{' ruleItem* '}' ;
//   ruleItem      : 'pattern' text | 'translation' text | 'priority' INT
//                 | 'internal_extension' | 'description' text ;
//   userItem      : ('pool' | 'line' | 'voice_policy' | 'dialplan') STRING ;
//   expectation   : 'dial' (STRING | dial) caller '=>' dialResult
//                 | 'park' caller '=>' ('allowed' | 'denied') ;
//   caller        : 'as' STRING | 'with' 'dialplan' scope ;
//   dialResult    : 'orbit' STRING | STRING 'internal'? | 'park' 'pool' STRING | 'not_ours' ;
//   text          : STRING | RAW_STRING ;   dial : DIAL | INT ;
//   BOOL          : 'on' | 'off' | 'true' | 'false' ;
//
// Items inside a block may come in any order and need no separator; a setting written twice
// in one block is reported. Newlines are not significant.
grammar Park;

// ---- parser: brace structure only -----------------------------------------------------------
// A `}` at top level and a block cut short by the end of the file are legal here; the builder
// reports them (CP103, CP102) with the block they belong to.
file  : ( block | RBRACE | IDENT | INT | DIAL | DURATION | WORD | STRING | RAW_STRING
        | UNTERMINATED_STRING | UNTERMINATED_RAW_STRING | DOTDOT | ARROW | AT | LPAREN | RPAREN
        | COMMA )* EOF ;
// Tokens are direct children of their block (no per-token rule context: big files stay small).
block : LBRACE ( block | IDENT | INT | DIAL | DURATION | WORD | STRING | RAW_STRING
        | UNTERMINATED_STRING | UNTERMINATED_RAW_STRING | DOTDOT | ARROW | AT | LPAREN | RPAREN
        | COMMA )* ( RBRACE | EOF ) ;

// ---- lexer ----------------------------------------------------------------------------------
LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA  : ',' ;
AT     : '@' ;
ARROW  : '=>' ;
DOTDOT : '..' ;

// `90s`, `1m30s`, `10m`, `1h`, Lync's `00:01:30`. Order and range of the parts are checked by
// the builder; `90x` or `1m30` fall through to WORD and are reported there.
DURATION : ( [0-9]+ [hms] )+
         | [0-9]+ ':' [0-9]+ ( ':' [0-9]+ )?
         ;
INT      : '-'? [0-9]+ ;          // `7000` is an INT and a dial string; the builder decides
DIAL     : [0-9*#+]+ ;            // `*3000`, `#6000`, `+14255550100` (`#` is never a comment)
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;
// Anything word-like that is none of the above (`90x`, `7000-7099`, an unquoted
// `redmond-fe01.contoso.com` or `sip:alice@contoso.com`): one token, so the builder can say
// what it expected instead of a cascade of stray characters. A single `.` or `@` joins word
// characters; `..` never does (`*3000..*3099` stays three tokens) and `@allow` stays `@`.
WORD     : WORD_CHAR+ ( [.@] WORD_CHAR+ )* ;
fragment WORD_CHAR : [a-zA-Z0-9_*#+:\-] ;

// Double-quoted: `\"` and `\\` are the only escapes (others are reported by the builder).
STRING              : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '\\'? ;
// Single-quoted raw strings: no escapes at all, for patterns pasted from PowerShell.
RAW_STRING              : '\'' ~['\r\n]* '\'' ;
UNTERMINATED_RAW_STRING : '\'' ~['\r\n]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// Never longer than BLOCK_COMMENT when the comment is closed, so it only wins at end of file.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* -> channel(2) ;

WS    : [ \t\r\n\f\uFEFF]+ -> skip ;
STRAY : . -> channel(2) ;     // reported by the builder as a stray character
