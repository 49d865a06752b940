#!/bin/sh
echo "# from post-renderer"
cat
