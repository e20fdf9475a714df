#!/usr/bin/env python3
"""Write compile_commands.json for editors: one entry per kernel C source, with the
flags the Makefile uses. Usage: compdb.py "<cc and flags>" file.c..."""
import json
import os
import shlex
import sys

cmd = shlex.split(sys.argv[1])
root = os.getcwd()
entries = [{
    'directory': root,
    'file': os.path.join(root, src),
    'arguments': cmd + ['-c', src, '-o', os.path.join('build', src[:-2] + '.o')],
} for src in sys.argv[2:]]
json.dump(entries, sys.stdout, indent=1)
sys.stdout.write('\n')
