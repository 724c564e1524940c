#!/usr/bin/env python3
# Writes one random, often malformed, MIME message to stdout (seed = first argument), for the
# differential run against Dovecot described in README.md:
#   for i in $(seq 1 300); do ./random-messages.py $i > /tmp/diff/r$i.eml; done
#   (cd /tmp/diff && /path/to/dovecot-oracle.sh r*.eml)   # run from a copy of the script in /tmp/diff
#   IMAP4D_DOVECOT_DIFF_DIR=/tmp/diff dotnet test --filter DifferentialAgainstDovecot
import random, sys
random.seed(int(sys.argv[1]) if len(sys.argv)>1 else 1)
ADDR=['a@b.example','"Q, X" <q@x.example>','=?utf-8?q?J=C3=B6?= <j@y.example>','grp: a@b.example, c@d.example;','undisclosed-recipients:;',
      '<@r1.example,@r2.example:u@h.example>','x@y.example (Comment)','plain','Name <n@m.example>, o@p.example']
CT=['text/plain','text/html; charset=utf-8','application/octet-stream; name="f.bin"','image/png','TEXT/PLAIN; CHARSET=ISO-8859-1','text/plain; format=flowed; charset="us-ascii"',
    'application/pdf; name*0*=utf-8\'\'a%20b; name*1=".pdf"', None]
def words():
    return ' '.join(random.choice(['foo','bar','--','-','baz','x=y','qu"ote','a:b']) for _ in range(random.randint(0,8)))
def header(kind, boundary, top):
    h=[]
    if top or random.random()<0.3:
        for f in ['From','To','Cc','Reply-To','Sender','Bcc']:
            if random.random()<0.4: h.append('%s: %s'%(f, random.choice(ADDR)))
        if random.random()<0.7: h.append('Subject: '+words())
        if random.random()<0.3: h.append('Message-ID: <%d@x>'%random.randint(0,999))
        if random.random()<0.3: h.append('Date: Mon, 1 Jan 2024 00:00:00 +0000')
    if kind=='multipart':
        h.append('Content-Type: multipart/%s; boundary="%s"'%(random.choice(['mixed','alternative','related','digest']),boundary))
    elif kind=='message':
        h.append('Content-Type: message/rfc822')
    else:
        ct=random.choice(CT)
        if ct: h.append('Content-Type: '+ct)
    if random.random()<0.2: h.append('Content-Transfer-Encoding: '+random.choice(['base64','quoted-printable','8bit','7BIT']))
    if random.random()<0.2: h.append('Content-Disposition: '+random.choice(['inline','attachment; filename="x y.txt"','attachment; filename*=utf-8\'\'%C3%A9']))
    if random.random()<0.1: h.append('Content-ID: <id%d@x>'%random.randint(0,99))
    if random.random()<0.1: h.append('Content-Description: '+words())
    if random.random()<0.1: h.append('Content-Language: en, de')
    if random.random()<0.1: h.append('Content-Location: http://x/')
    if random.random()<0.1: h.append('Content-MD5: abc=')
    random.shuffle(h)
    return '\n'.join(h)
BOUNDS=['a','ab','abc','b','=_x','a']
def part(depth, top=False):
    r=random.random()
    kind='leaf'
    if depth<6 and r<0.3: kind='multipart'
    elif depth<6 and r<0.4: kind='message'
    b=random.choice(BOUNDS)+('' if random.random()<0.5 else str(depth))
    s=header(kind,b,top)
    if random.random()<0.95: s+='\n\n'
    else: s+='\n'
    if kind=='multipart':
        if random.random()<0.5: s+=words()+'\n'
        for i in range(random.randint(0,4)):
            s+='--'+b+random.choice(['','',' ','  x'])+'\n'+part(depth+1)+random.choice(['\n','\n','\n\n',''])
        if random.random()<0.8: s+='--'+b+'--'+random.choice(['\n','',' junk\n'])
        if random.random()<0.3: s+=words()+'\n'
    elif kind=='message':
        s+=part(depth+1, True)
    else:
        s+='\n'.join(words() for _ in range(random.randint(0,4)))
    return s
print(part(0,True),end='')
